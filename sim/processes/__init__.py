"""The submodels of the ODD (docs/ODD.md, sections 3 and 7), one module each, in the order of a month.

Each module holds its rule (in its docstring), the parameters it reads (as named structures
where a compiled kernel takes them), its kernel and the function that applies it to the model.
``LabourMarket.step`` calls them in this order:

====  ==========================================  =======================================
 ODD  phase                                        module.function
====  ==========================================  =======================================
 7.1   0  wage offers                              ``offers.update_offers``
 7.2   1  arrivals and recruitment                 ``arrivals.arrive``
 7.3   2  violations                               ``violations.commit_violations``
 7.4   3  work, pay and money                      ``work.work``
 7.5   4  learning                                 ``learning.learn``
 7.6   5  tests                                    ``learning.take_tests``
 7.7   6  grievance                                ``grievance.feel_grievance``
 7.8   7  audits, inspections, sanctions           ``audits.audit_members``
 7.9   8  information                              ``information.hear_about_wages``
 7.10  9  status ladder and end of stay            ``ladder.move_up_or_leave``
 7.11 10  decisions: abscond, go home, seek        ``decisions.decide``
 7.12  -  job search and matching (from 7, 10, 11) ``matching.find_employers``
 7.14 11  firm closures and new owners             ``firms.close_some``
 7.15 12  wage adjustment                          ``firms.adjust_wages``
 7.16 13  demand                                   ``firms.update_demand``
 7.17 14  apprehension and self-departure          ``apprehension.face_apprehension``
 7.21 6b  local integration support                ``integration.support``
 7.19 14b ageing, marriage, family, births         ``families.form_families``
 7.20 14c spouse status, permanence, naturalisation ``permanence.settle_or_leave``
 7.19 14d deaths                                   ``families.die``
 7.19 14e families leaving with their worker       ``families.count_departures``
====  ==========================================  =======================================

The state changes every process goes through - moving a worker, taking people off their
employer's books, disappearing, leaving Japan, changing status or residence, counting a flow, and
the headcounts that follow - are methods of the ledger (``model.ledger``, ``sim.ledger``; ODD
7.13), so that there is one place each passes; the ledger calls no process back (a release's job
search is ``matching.release``). State a process keeps between months is a declared field of the
ledger, never an attribute added to the model.
"""
