"""Every word the dashboard shows, in English and Japanese: one strings table per language.

The page asks ``text(lang, key, **values)`` for each label, note and sentence. The two tables
must hold the same keys (``missing_keys()``; a test fails when one language lacks a string),
and every shipped scenario needs its preset label, short name and assumptions in both
(``scenario_keys``): a new scenario without them fails a test instead of the page.

Japanese terms are the ones the ministries use (出入国在留管理庁, 厚生労働省): 技能実習,
育成就労, 特定技能, 転籍, 失踪, 監理団体 / 監理支援機関, 外国人技能実習機構.

At run time a missing string falls back to English, then to its key, so the page never
breaks on one; the test is what keeps the tables complete.
"""

from __future__ import annotations

LANGUAGES = {"en": "English", "ja": "日本語"}
DEFAULT_LANGUAGE = "en"

EN: dict[str, str] = {
    # -- page chrome ----------------------------------------------------------------------
    "title": "tenseki: job change for Japan's foreign trainees",
    "language": "Language / 言語",
    "step": "Step",
    "play": "Play",
    "pause": "Pause",
    "reset": "Reset",
    "month_heading": "Month {month}: {year}-{month_of_year:02d}",
    "switch_ahead": "ESD starts for new entrants in April 2027: in {months} months.",
    "switch_ahead_one": "ESD starts for new entrants in April 2027: in 1 month. Press Step to see the switch.",
    "switch_passed": "Since April 2027 new entrants come under ESD; trainees already here finish under TITP.",
    "switch_none": "This preset has no switch: its rules hold from the first month.",
    "assumes": "What this preset assumes",
    "error_prefix": "This could not be shown: {error}",
    "ok": "OK",
    "error_run": "These settings cannot be run: {error}",
    "error_step": "The run stopped at month {month}: {error}. Press Reset or pick a preset.",
    # -- panels ---------------------------------------------------------------------------
    "policy": "Policy",
    "preset": "Preset",
    "preset_help": "A shipped policy: picking one fills the levers and starts a new run.",
    "levers_changed": "Levers changed: press Apply to start a new run with them.",
    "apply": "Apply: new run",
    "scale": "Scale",
    "scale_help": "Share of real people simulated: 0.005 is about 4,000 people (fast); larger is slower, less noisy.",
    "seed": "Seed (the run's luck)",
    "comparison": "Comparison",
    "compare_check": "Compare with another policy",
    "second_policy": "Second policy",
    "second_help": "Runs in lockstep with yours, on the same seed and scale.",
    "compared_with": "{a} compared with {b}",
    "second_run": "{name} (second run)",
    "your_levers": "{name} + your levers",
    "what_am_i": "What am I looking at?",
    "tab_charts": "Charts",
    "tab_map": "Map and network",
    "tab_glossary": "Glossary",
    "card_status": "People in Japan by status",
    "card_flows": "Monthly flows",
    "card_money": "Wages and debt",
    "card_map": "Map of Japan's 47 prefectures",
    "card_network": "Network: supervisory bodies and firms",
    "colour_by": "Colour by",
    "glossary": "Glossary",
    "group_mobility": "Job change (tenseki)",
    "group_stay": "Stay and path to SSW",
    "group_supervision": "Supervision",
    "group_money": "Fees and costs",
    "group_run": "Run: scale and seed",
    "yes": "yes",
    "no": "no",
    # -- presets: label, short name, what each assumes ------------------------------------
    "preset.titp": "TITP today (status quo)",
    "short.titp": "TITP",
    "assumes.titp": "TITP stays as it is: trainees change employer only in unavoidable cases; no ESD, ever.",
    "preset.esd": "ESD 2027 (as legislated)",
    "short.esd": "ESD",
    "assumes.esd": "A thought experiment, not the calendar: every trainee in Japan is an ESD trainee from the first month, as if ESD had always existed. The reform as it will happen is the preset \"ESD from April 2027\".",
    "preset.esd_transition": "ESD from April 2027, TITP trainees finishing (the reform from today)",
    "short.esd_transition": "ESD from 2027",
    "assumes.esd_transition": "Today's Japan: the trainees here now finish under TITP; from April 2027 new entrants come under ESD, with job change after 1-2 years.",
    "preset.free_mobility": "Free mobility (liberal benchmark)",
    "short.free_mobility": "Free mobility",
    "assumes.free_mobility": "A benchmark, not a proposal: job change at will from arrival, in any field, with no caps or cost sharing, and long stays through SSW i and ii.",
    "preset.restricted": "Restricted (conservative benchmark)",
    "short.restricted": "Restricted",
    "assumes.restricted": "A benchmark, not a proposal: trainees tied to one employer for at most three years, with no route to SSW; SSW holders already here keep their rights.",
    # -- notes ----------------------------------------------------------------------------
    "note.levers": (
        "Each lever is one setting of the policy's scenario file (scenarios/*.toml). A preset fills "
        "them with the policy as written; moving a lever and pressing **Apply** starts a new run from "
        "month 0. A value the rules do not allow is refused with the same message a scenario file gets."
    ),
    "note.headline": (
        "The state of the simulated Japan at the end of the month shown, in real numbers of people "
        "(each simulated person stands for 1/scale real people). Disappearances and job changes count "
        "the last 12 months. *Violations detected*: of the months firms spent violating the rules "
        "(unpaid wages, excess hours...), the share found and sanctioned."
    ),
    "note.compare": (
        "A second policy runs next to yours on the same seed, month for month: the same firms, the "
        "same people and the same luck, so the differences come from the policy. It is still one run "
        "at a small scale: the range of many runs says how much of a difference is chance."
    ),
    "note.status": (
        "How many foreign workers are in Japan, by residence status. Trainees (TITP or ESD) move up "
        "to Specified Skilled Worker (SSW i, then SSW ii) when they pass the tests, if the path is open. "
        "*Irregular*: people who left their employer without permission and stay without a status."
    ),
    "note.flows": (
        "Events of each month. A *disappearance* is a trainee or SSW worker leaving their job "
        "without permission. A job change of their own wish needs the policy to allow it; "
        "*unavoidable* transfers follow a bankruptcy or a sanctioned employer."
    ),
    "note.money": (
        "Mean gross monthly pay of employed legal residents (firms raise pay when they lose workers to "
        "better offers), and the share of people still repaying the fee they borrowed to come."
    ),
    "note.map": (
        "Each prefecture coloured by the chosen measure at the month shown (net moves: over the last 12 "
        "months, orange = more arrive than leave). Metro prefectures (Tokyo, Osaka, Aichi...) pay more; "
        "the fear is that free job change drains the countryside. Outlines: the japanmap package."
    ),
    "note.network": (
        "A sample: the five largest supervisory bodies (dark squares) and their largest member firms "
        "(circles, sized by foreign workers). Dashed lines: firms that know each other, along which "
        "workers hear of better jobs. An orange ring: a job change into or out of the firm in the last "
        "12 months. Low compliance (red) means more violations."
    ),
    "note.glossary": "Words of the debate, with where they are defined.",
    # -- figures, charts, map, network (dashboards.figures) --------------------------------
    "series.stock_titp": "TITP trainees",
    "series.stock_esd": "ESD trainees",
    "series.stock_ssw1": "SSW i",
    "series.stock_ssw2": "SSW ii",
    "series.stock_care_worker": "Care workers (介護)",
    "series.stock_irregular": "Irregular (disappeared)",
    "series.disappearances_trainee": "Trainees who disappeared",
    "series.transfers_voluntary_trainee": "Trainees' own job changes",
    "series.transfers_unavoidable": "Unavoidable transfers",
    "series.to_ssw1": "Moves up to SSW i",
    "series.wage_mean_yen": "Mean monthly wage",
    "series.share_in_debt": "Share in broker debt",
    "chart.status": "People in Japan by status",
    "chart.flows": "Each month",
    "axis.people": "people",
    "axis.people_month": "people a month",
    "axis.yen": "yen",
    "axis.share": "share",
    "chart.switch": "April 2027: ESD starts for new entrants (in the ESD presets)",
    "band.label": "shaded: middle 80% of {seeds} precomputed runs of the preset as shipped (scale {scale})",
    "band.none": "No precomputed runs are shipped: this is one run, and one run is noisy.",
    "fig.people": "People in Japan",
    "fig.people.note": "all statuses, irregular included",
    "fig.trainees": "Trainees (TITP + ESD)",
    "fig.trainees.note": "TITP {titp}, ESD {esd}",
    "fig.ssw": "SSW i / SSW ii",
    "fig.ssw.note": "Specified Skilled Workers",
    "fig.irregular": "Irregular",
    "fig.irregular.note": "people who disappeared and are still in Japan",
    "fig.disappeared": "Trainees who disappeared",
    "fig.job_changes": "Trainees' own job changes",
    "fig.wage": "Mean monthly wage",
    "fig.wage.note": "gross pay of employed legal residents",
    "fig.debt": "Share in broker debt",
    "fig.debt.note": "of everyone in Japan",
    "fig.detected": "Violations detected",
    "fig.detected.note": "share of violations found and sanctioned, {span}",
    "span.months": "last {months} months",
    "span.month": "last 1 month",
    "span.none": "no month run yet",
    "elapsed.years": "{n} years",
    "elapsed.year": "1 year",
    "elapsed.months": "{n} months",
    "elapsed.month": "1 month",
    "measure.stock_total": "Workers (people in the prefecture)",
    "measure.net_moves_in": "Net moves in, last 12 months",
    "measure.wage_mean_yen": "Mean monthly wage",
    "measure.vacancy_fill": "Vacancies filled",
    "unit.people": "people",
    "unit.yen": "yen",
    "unit.%": "%",
    "map.prefecture": "prefecture",
    "network.compliance": "compliance",
    "network.field": "field",
    "network.firm_label": "firm {number}",
    "network.body_label": "supervisory body {number}",
    "field.construction": "construction",
    "field.food_manufacturing": "food manufacturing",
    "field.machinery_metal": "machinery and metal",
    "field.agriculture": "agriculture",
    "field.textiles": "textiles",
    "field.nursing_care": "nursing care",
    "field.fishery": "fishery",
    "field.other": "other",
    "network.of": "{name}: network",
    "map.of": "{name}: map",
    "what.disappearances_trainee": "disappearances of trainees",
    "what.transfers_voluntary_trainee": "job changes by trainees' own wish",
    "cmp.press_step": "Press Step or Play: both policies then run month by month on the same seed.",
    "cmp.this_run": "In this run, after {after}: {a} had {rel} {what} than {b} ({x} against {y}).",
    "cmp.none_under_b": "In this run, after {after}: {x} {what} under {a}, none under {b}.",
    "cmp.this_run_same": "In this run, after {after}: {a} had about as many {what} as {b} ({x} against {y}).",
    "cmp.most_runs": "In {n} precomputed runs of the presets as shipped (scale {scale}), after {after} {a} had fewer {what} in {fewer}, more in {more}, as many in {same}: {verdict}",
    "cmp.verdict.most": "most runs go the way this run goes.",
    "cmp.verdict.few": "most runs go the other way: this run is unusual.",
    "cmp.verdict.mixed": "the runs disagree, so this run's difference may be chance.",
    "cmp.no_runs": "No precomputed runs reach {after} for these two presets: treat the difference as one noisy run.",
    "cmp.wage": "Mean monthly wage now: {rel} under {a} (¥{x} against ¥{y}).",
    "cmp.share": "{what}: {x} against {y}, {direction} under {a}.",
    "cmp.stock": "People in Japan now: {x} against {y}.",
    "rel.more": "{p} more",
    "rel.fewer": "{p} fewer",
    "rel.higher": "{p} higher",
    "rel.lower": "{p} lower",
    "rel.same_count": "about as many",
    "rel.same_level": "about the same",
    "gap.same": "the same",
    "gap.points_higher": "{p} points higher",
    "gap.points_lower": "{p} points lower",
    "what.share_in_debt": "Share in broker debt",
    "what.vacancy_fill_nonmetro": "Vacancies filled outside the metro areas",
    "levers_dashed": "Dashed lines: {b}; solid: {a}.",
    "tab_lessons": "Lessons",
    "lesson.pick": "Lesson",
    "lesson.step1": "1. The question",
    "lesson.step2": "2. Your prediction",
    "lesson.step3": "3. The run, and the gap",
    "lesson.step4": "4. Things to notice, things to try",
    "lesson.run": "Run both policies",
    "lesson.runs_on": "Runs {a} and {b} for {months} months on your seed ({seed}) and scale, then sets them against {n} precomputed runs.",
    "lesson.predict_first": "Set your prediction, then press Run.",
    "lesson.unit.%": "%",
    "lesson.unit.points": "points",
    "lesson.result": "You predicted {prediction} {unit}; this run gave {result} {unit}: {size}.",
    "lesson.close": "close",
    "lesson.higher": "your prediction was {gap} {unit} too high",
    "lesson.lower": "your prediction was {gap} {unit} too low",
    "lesson.inside": "The {n} precomputed runs range from {low} to {high} {unit}, and your prediction lies within that range.",
    "lesson.outside": "The {n} precomputed runs range from {low} to {high} {unit}: your prediction lies outside what the model gives in most runs.",
    "lesson.what.runs": "precomputed runs",
    "lesson.what.this_run": "this run",
    "lesson.what.prediction": "your prediction",
    "lesson.runs_on_one": "Runs {a} for {months} months (to 2070: about ten seconds) on your seed ({seed}) and scale, then sets it against {n} precomputed runs.",
    "lesson.settle.title": "Where do people settle by 2070?",
    "lesson.settle.question": "Today about 4 in 10 of the foreign workers counted here live in the eight metro prefectures (Tokyo, Kanagawa, Saitama, Chiba, Osaka, Kyoto, Hyogo, Aichi). Under the reform, trainees become Specified Skilled Workers, some settle for good and bring families. By July 2070, what share of the foreign residents of the model live in the metro prefectures?",
    "lesson.settle.predict": "Share living in the metro prefectures in 2070 (%)",
    "lesson.settle.axis": "share in the metro prefectures, 2070",
    "lesson.settle.explain": "Why: in the model, trainees are placed where their employers are, much of it in the countryside, and the ESD metro cap limits their moves. People who settle (SSW ii, permanent residents and their families) are no longer bound by the trainees' rules and may move where pay is higher; over forty years more and more of the foreign population are such settled residents.",
    "lesson.settle.notice": "Notice: in the precomputed runs of TITP kept as it is (dashboards/data/ensemble_2070), the share in 2070 is almost the same as under the reform: the rise comes from settling, not from trainees' job change. The scenarios hold today's rules for 43 years, which no one expects; read the result as what these rules would lead to, not as a forecast.",
    "lesson.settle.try": "Try: in free play, run \"TITP today\" and the reform as far as you can and compare the map (Map and network tab, workers by prefecture).",
    "lesson.mobility.title": "What changes when trainees may change employer?",
    "lesson.mobility.question": "Under TITP a trainee can leave an abusive or badly paying employer only by disappearing. From April 2027 ESD lets new trainees change employer after 1-2 years. Over the first three years, how many more or fewer trainees disappear under the reform than if TITP had stayed?",
    "lesson.mobility.predict": "Disappearances of trainees, reform against TITP after 3 years (%)",
    "lesson.mobility.axis": "disappearances, reform against TITP",
    "lesson.mobility.explain": "Why: in the model a trainee who has had enough of an employer looks for a way out. Under ESD, after the waiting period, there is a legal way out (a job change in the same field), so fewer take the illegal one. The effect grows only as ESD trainees arrive and pass their waiting period: the trainees here in 2027 finish under TITP.",
    "lesson.mobility.notice": "Notice: the first year looks like TITP (the switch affects new entrants only); job changes by trainees' own wish appear only after the waiting period; the precomputed runs spread, so one run can mislead.",
    "lesson.mobility.try": "Try: in free play, set the waiting period to 0 or 24 months and compare; try the preset \"Free mobility\" as the second policy.",
    "lesson.rural.title": "Why do rural employers fear ESD?",
    "lesson.rural.question": "Metro prefectures (Tokyo, Osaka, Aichi...) pay more. Employers in the countryside fear that once trainees may change employer, they will leave for the cities and rural vacancies stay empty. After five years, how many points more or fewer of the vacancies outside the metro areas are filled under the reform than under TITP?",
    "lesson.rural.predict": "Vacancies filled outside the metro areas, reform minus TITP after 5 years (points)",
    "lesson.rural.axis": "rural vacancies filled, reform minus TITP",
    "lesson.rural.explain": "Why: moves toward the cities are limited by the waiting period, the same-field rule, the metro cap (at most 1/6 of a metro firm's ESD workers may be movers from outside) and cost sharing; and rural firms that lose workers raise pay. Whether the countryside loses depends on these rules more than on job change itself.",
    "lesson.rural.notice": "Notice: in most runs the countryside fills fewer of its vacancies under the reform, but by how much varies a lot from run to run; on the map (Map and network tab, net moves in), which prefectures gain.",
    "lesson.rural.try": "Try: in free play, set the metro cap to \"no cap\" and cost sharing to 0 and compare with the reform as written.",
    "glossary.body": """
**Tenseki (転籍)**: changing employer. Under TITP a trainee may change employer only in
"unavoidable circumstances" (bankruptcy, serious violations, violence); under ESD also at their
own wish after 1-2 years. *Source: Act on Proper Technical Intern Training and Protection of
Technical Intern Trainees (Act No. 89 of 2016); the 2024 amending act (below).*

**TITP, Technical Intern Training Program (技能実習)**: since 1993, officially skills transfer to
developing countries; in practice labour for small firms. Stages i (1 year), ii (2 years), iii
(2 years, "excellent" firms only). *Source: the 2016 Act; Immigration Services Agency (ISA).*

**ESD, Employment for Skill Development (ikusei shūrō, 育成就労)**: replaces TITP from
1 April 2027: a 3-year programme meant to bring workers to SSW i level, with job change after
1-2 years in the same field, tests, caps on moves into the 8 metro prefectures and cost sharing
between employers. *Source: Act partially amending the Immigration Control and Refugee
Recognition Act and the TITP Act (June 2024); MHLW/ISA draft ordinances (September 2025).*

**Kanri dantai (監理団体), supervisory body**: mostly business cooperatives that recruit trainees
through sending organisations abroad, audit member firms (at least every 3 months) and support
trainees; often close to the firms they oversee. Under ESD: supervisory *support* organisations
(監理支援機関) with stricter independence. *Source: the 2016 Act and its ordinance; OTIT.*

**SSW i / SSW ii, Specified Skilled Worker (特定技能 1号/2号)**: statuses since April 2019. SSW i:
up to 5 years, job change within the field allowed, no family. SSW ii: renewable without limit,
family allowed, the road to settling. *Source: Immigration Control and Refugee Recognition Act
(amended 2018); ISA.*

**OTIT, Organisation for Technical Intern Training (外国人技能実習機構)**: since 2017, approves
training plans, licenses supervisory bodies and inspects firms (about every 3 years). *Source: the
2016 Act; OTIT annual reports.*

**Disappearance (失踪)**: a trainee leaving the employer without permission, usually into
irregular work; about 5,000-10,000 a year (2015-2024). *Source: ISA figures as reported by the
press; docs/validation.md compares the model with them.*

**Broker fee**: what recruiters in the home country charge, often borrowed; debt keeps workers
from leaving abusive jobs. **Metro cap**: under ESD at most 1/6 of a metro firm's ESD workers may
have come by transfer from outside the metro (designated) area, and at most 1/3 of any firm's by
transfer at all. **Cost sharing**: the new employer pays the first one part of the costs of
recruiting and training a worker who moves (and hires a mover only if that pays).

The model, its assumptions and its sources: docs/ODD.md of the project.
""",
}

JA: dict[str, str] = {
    "title": "tenseki：外国人技能実習生の転籍シミュレーション",
    "language": "Language / 言語",
    "step": "1か月進める",
    "play": "再生",
    "pause": "一時停止",
    "reset": "リセット",
    "month_heading": "{month}か月目：{year}年{month_of_year}月",
    "switch_ahead": "2027年4月から新たに入国する人は育成就労になります：あと{months}か月。",
    "switch_ahead_one": "2027年4月から新たに入国する人は育成就労になります：あと1か月。「1か月進める」で切替えを見られます。",
    "switch_passed": "2027年4月以降の新規入国者は育成就労。すでにいる技能実習生は技能実習のまま修了します。",
    "switch_none": "このプリセットには切替えがありません：最初の月からこのルールです。",
    "assumes": "このプリセットの前提",
    "error_prefix": "表示できませんでした：{error}",
    "ok": "OK",
    "error_run": "この設定では実行できません：{error}",
    "error_step": "{month}か月目で実行が止まりました：{error}。リセットするかプリセットを選んでください。",
    "policy": "制度",
    "preset": "プリセット",
    "preset_help": "用意された制度：選ぶとレバーが設定され、新しい実行が始まります。",
    "levers_changed": "レバーが変更されました：「適用」で新しい実行を始めます。",
    "apply": "適用：新しく実行",
    "scale": "規模",
    "scale_help": "実在の人数のうちシミュレーションする割合：0.005 は約4,000人（速い）。大きいほど遅く、ばらつきが小さい。",
    "seed": "シード（実行の運）",
    "comparison": "比較",
    "compare_check": "別の制度と比べる",
    "second_policy": "比べる制度",
    "second_help": "同じシード・同じ規模で、あなたの実行と同時に進みます。",
    "compared_with": "{a} と {b} の比較",
    "second_run": "{name}（2つ目の実行）",
    "your_levers": "{name}＋あなたのレバー",
    "what_am_i": "これは何？",
    "tab_charts": "グラフ",
    "tab_map": "地図とネットワーク",
    "tab_glossary": "用語集",
    "card_status": "在留資格別の人数",
    "card_flows": "毎月の動き",
    "card_money": "賃金と借金",
    "card_map": "47都道府県の地図",
    "card_network": "ネットワーク：監理団体と企業",
    "colour_by": "色分け",
    "glossary": "用語集",
    "group_mobility": "転籍",
    "group_stay": "在留期間と特定技能への道",
    "group_supervision": "監理・監督",
    "group_money": "手数料と費用",
    "group_run": "実行：規模とシード",
    "yes": "はい",
    "no": "いいえ",
    "preset.titp": "技能実習（現行制度）",
    "short.titp": "技能実習",
    "assumes.titp": "技能実習が今のまま続く：転籍はやむを得ない場合のみ。育成就労は始まりません。",
    "preset.esd": "育成就労2027（法律どおり）",
    "short.esd": "育成就労",
    "assumes.esd": "暦どおりではない思考実験：最初の月から日本にいる実習生が全員育成就労で、育成就労が昔からあったかのように扱います。実際の改正の進み方はプリセット「2027年4月から育成就労」です。",
    "preset.esd_transition": "2027年4月から育成就労、技能実習生は修了まで（今日からの制度改正）",
    "short.esd_transition": "2027年から育成就労",
    "assumes.esd_transition": "今日の日本から：いまの技能実習生は技能実習のまま修了し、2027年4月から新規入国者は育成就労（1〜2年後に転籍可）。",
    "preset.free_mobility": "自由な転籍（自由化の比較基準）",
    "short.free_mobility": "自由な転籍",
    "assumes.free_mobility": "提案ではなく比較基準：入国直後からどの分野へも自由に転籍でき、上限や費用分担はなく、特定技能1号・2号で長く在留できる。",
    "preset.restricted": "制限強化（保守的な比較基準）",
    "short.restricted": "制限強化",
    "assumes.restricted": "提案ではなく比較基準：実習生は1つの雇用主に最長3年、特定技能への道はない。すでにいる特定技能の人は権利を保つ。",
    "note.levers": (
        "各レバーは制度のシナリオファイル（scenarios/*.toml）の設定1つです。プリセットは制度どおりの値を入れます。"
        "レバーを動かして**適用**を押すと0か月目から新しく実行します。ルールが認めない値は、シナリオファイルと同じメッセージで拒否されます。"
    ),
    "note.headline": (
        "表示中の月の終わりの、シミュレーション上の日本の状態（実在の人数に換算：1人のエージェントは 1/規模 人を表します）。"
        "失踪と転籍は直近12か月の数です。*違反の発見率*：企業が違反（賃金未払い、長時間労働など）をしていた月のうち、発見され処分された割合。"
    ),
    "note.compare": (
        "2つ目の制度が同じシードで毎月並んで進みます：同じ企業、同じ人、同じ運なので、違いは制度から生まれます。"
        "それでも小さな規模の1回の実行です。多数の実行の幅が、違いのどれだけが偶然かを示します。"
    ),
    "note.status": (
        "在留資格別の外国人労働者数。実習生（技能実習・育成就労）は試験に合格し道が開いていれば特定技能1号、さらに2号へ移ります。"
        "*不法残留*：許可なく職場を離れ、在留資格なく残っている人。"
    ),
    "note.flows": (
        "毎月の出来事。*失踪*は実習生または特定技能の労働者が許可なく職場を離れること。本人の希望による転籍は制度が認める場合のみ。"
        "*やむを得ない*転籍は倒産や処分を受けた雇用主の後に起こります。"
    ),
    "note.money": "雇用されている正規在留者の平均月給（よりよい条件に人を取られると企業は賃金を上げる）と、来日のための借金をまだ返している人の割合。",
    "note.map": (
        "表示中の月の指標で都道府県を色分け（純移動は直近12か月、オレンジ＝転入が転出より多い）。大都市圏（東京、大阪、愛知…）は賃金が高く、"
        "自由な転籍で地方から人が流出するのが懸念です。輪郭：japanmap パッケージ。"
    ),
    "note.network": (
        "標本：最大の監理団体5つ（濃い四角）とその大きな会員企業（円、外国人労働者数で大きさ）。点線：互いに知り合いの企業で、"
        "労働者はこれを通じてよい仕事を知ります。オレンジの輪：直近12か月に転籍の出入りがあった企業。遵守度が低い（赤）ほど違反が多い。"
    ),
    "note.glossary": "議論で使われる言葉と、その定義の出典。",
    "series.stock_titp": "技能実習生",
    "series.stock_esd": "育成就労外国人",
    "series.stock_ssw1": "特定技能1号",
    "series.stock_ssw2": "特定技能2号",
    "series.stock_care_worker": "在留資格「介護」",
    "series.stock_irregular": "不法残留（失踪者）",
    "series.disappearances_trainee": "失踪した実習生",
    "series.transfers_voluntary_trainee": "本人の希望による転籍",
    "series.transfers_unavoidable": "やむを得ない転籍",
    "series.to_ssw1": "特定技能1号への移行",
    "series.wage_mean_yen": "平均月給",
    "series.share_in_debt": "借金を抱える人の割合",
    "chart.status": "在留資格別の人数",
    "chart.flows": "毎月の動き",
    "axis.people": "人",
    "axis.people_month": "人／月",
    "axis.yen": "円",
    "axis.share": "割合",
    "chart.switch": "2027年4月：新規入国者の育成就労開始（育成就労のプリセット）",
    "band.label": "網掛け：プリセットどおりの事前計算 {seeds} 回の実行の中央80%（規模 {scale}）",
    "band.none": "事前計算の実行がありません：これは1回の実行で、1回の実行はばらつきます。",
    "fig.people": "日本にいる人数",
    "fig.people.note": "すべての在留資格、不法残留を含む",
    "fig.trainees": "実習生（技能実習＋育成就労）",
    "fig.trainees.note": "技能実習 {titp}、育成就労 {esd}",
    "fig.ssw": "特定技能1号／2号",
    "fig.ssw.note": "特定技能外国人",
    "fig.irregular": "不法残留",
    "fig.irregular.note": "失踪し、まだ日本にいる人",
    "fig.disappeared": "失踪した実習生",
    "fig.job_changes": "本人の希望による転籍",
    "fig.wage": "平均月給",
    "fig.wage.note": "雇用されている正規在留者の総支給額",
    "fig.debt": "借金を抱える人の割合",
    "fig.debt.note": "日本にいる全員のうち",
    "fig.detected": "違反の発見率",
    "fig.detected.note": "違反のうち発見・処分された割合、{span}",
    "span.months": "直近{months}か月",
    "span.month": "直近1か月",
    "span.none": "まだ1か月も進めていません",
    "elapsed.years": "{n}年",
    "elapsed.year": "1年",
    "elapsed.months": "{n}か月",
    "elapsed.month": "1か月",
    "measure.stock_total": "労働者数（都道府県内の人数）",
    "measure.net_moves_in": "純転入数（直近12か月）",
    "measure.wage_mean_yen": "平均月給",
    "measure.vacancy_fill": "求人の充足率",
    "unit.people": "人",
    "unit.yen": "円",
    "unit.%": "%",
    "map.prefecture": "都道府県",
    "network.compliance": "遵守度",
    "network.field": "分野",
    "network.firm_label": "企業 {number}",
    "network.body_label": "監理団体 {number}",
    "field.construction": "建設",
    "field.food_manufacturing": "飲食料品製造業",
    "field.machinery_metal": "機械・金属",
    "field.agriculture": "農業",
    "field.textiles": "繊維・衣服",
    "field.nursing_care": "介護",
    "field.fishery": "漁業",
    "field.other": "その他",
    "network.of": "{name}：ネットワーク",
    "map.of": "{name}：地図",
    "what.disappearances_trainee": "実習生の失踪",
    "what.transfers_voluntary_trainee": "本人の希望による転籍",
    "cmp.press_step": "「1か月進める」か「再生」を押すと、両方の制度が同じシードで1か月ずつ進みます。",
    "cmp.this_run": "この実行では、{after}後に{a}は{b}より{what}が{rel}（{x}対{y}）。",
    "cmp.none_under_b": "この実行では、{after}後に{what}は{a}で{x}、{b}ではゼロ。",
    "cmp.this_run_same": "この実行では、{after}後の{what}は{a}と{b}でほぼ同じ（{x}対{y}）。",
    "cmp.most_runs": "プリセットどおりの事前計算{n}回の実行（規模 {scale}）では、{after}後の{what}は{a}のほうが少ない実行が{fewer}回、多い実行が{more}回、同じが{same}回：{verdict}",
    "cmp.verdict.most": "多くの実行がこの実行と同じ向きです。",
    "cmp.verdict.few": "多くの実行は逆向きで、この実行は珍しい結果です。",
    "cmp.verdict.mixed": "実行によって結果が割れるので、この実行の差は偶然かもしれません。",
    "cmp.no_runs": "この2つのプリセットについて{after}まで届く事前計算の実行はありません：差は1回の実行のばらつきとして見てください。",
    "cmp.wage": "現在の平均月給：{a}で{rel}（¥{x}対¥{y}）。",
    "cmp.share": "{what}：{x}対{y}、{a}で{direction}。",
    "cmp.stock": "現在日本にいる人数：{x}対{y}。",
    "rel.more": "{p}多い",
    "rel.fewer": "{p}少ない",
    "rel.higher": "{p}高い",
    "rel.lower": "{p}低い",
    "rel.same_count": "ほぼ同じ",
    "rel.same_level": "ほぼ同じ",
    "gap.same": "同じ",
    "gap.points_higher": "{p}ポイント高い",
    "gap.points_lower": "{p}ポイント低い",
    "what.share_in_debt": "借金を抱える人の割合",
    "what.vacancy_fill_nonmetro": "大都市圏以外の求人充足率",
    "levers_dashed": "点線：{b}、実線：{a}。",
    "tab_lessons": "学習",
    "lesson.pick": "学習テーマ",
    "lesson.step1": "1. 問い",
    "lesson.step2": "2. あなたの予想",
    "lesson.step3": "3. 実行結果と予想との差",
    "lesson.step4": "4. 注目点と試してみること",
    "lesson.run": "2つの制度を実行",
    "lesson.runs_on": "{a}と{b}を、あなたのシード（{seed}）と規模で{months}か月実行し、事前計算の{n}回の実行と比べます。",
    "lesson.predict_first": "予想を決めてから「実行」を押してください。",
    "lesson.unit.%": "%",
    "lesson.unit.points": "ポイント",
    "lesson.result": "あなたの予想は{prediction}{unit}、この実行では{result}{unit}：{size}。",
    "lesson.close": "ほぼ当たり",
    "lesson.higher": "予想は{gap}{unit}高すぎました",
    "lesson.lower": "予想は{gap}{unit}低すぎました",
    "lesson.inside": "事前計算の{n}回の実行は{low}〜{high}{unit}で、あなたの予想はその範囲内です。",
    "lesson.outside": "事前計算の{n}回の実行は{low}〜{high}{unit}：あなたの予想は多くの実行でモデルが示す範囲の外です。",
    "lesson.what.runs": "事前計算の実行",
    "lesson.what.this_run": "この実行",
    "lesson.what.prediction": "あなたの予想",
    "lesson.runs_on_one": "{a}をあなたのシード（{seed}）と規模で{months}か月（2070年まで：約10秒）実行し、事前計算の{n}回の実行と比べます。",
    "lesson.settle.title": "2070年までに人々はどこに定住する？",
    "lesson.settle.question": "現在、このモデルの外国人労働者の約4割が8つの大都市圏の都府県（東京、神奈川、埼玉、千葉、大阪、京都、兵庫、愛知）に住んでいます。制度改正後、実習生は特定技能外国人になり、一部は定住して家族を呼び寄せます。2070年7月、モデルの外国人住民のうち大都市圏に住む人の割合は？",
    "lesson.settle.predict": "2070年に大都市圏に住む割合（％）",
    "lesson.settle.axis": "大都市圏に住む割合、2070年",
    "lesson.settle.explain": "理由：モデルでは、実習生は雇用主のいる場所（多くは地方）に配属され、育成就労の大都市圏の上限が移動を制限します。定住した人（特定技能2号、永住者とその家族）は実習生のルールに縛られず、賃金の高い場所へ移ることができます。40年の間に、外国人住民のうちこうした定住者の割合が増えていきます。",
    "lesson.settle.notice": "注目点：技能実習が今のまま続く事前計算の実行（dashboards/data/ensemble_2070）でも、2070年の割合は制度改正とほぼ同じです：増加は転籍ではなく定住から生まれます。シナリオは今のルールが43年間続くと仮定していますが、誰もそうは考えていません。結果は予測ではなく、このルールが導く姿として読んでください。",
    "lesson.settle.try": "試してみよう：自由操作で「技能実習（現行制度）」と制度改正をできるだけ長く実行し、地図（「地図とネットワーク」タブ、都道府県別の労働者数）を比べる。",
    "lesson.mobility.title": "実習生が転籍できるようになると何が変わる？",
    "lesson.mobility.question": "技能実習では、劣悪な職場や賃金の低い職場から離れる方法は失踪しかありません。2027年4月からの育成就労では、新たな実習生は1〜2年後に転籍できます。最初の3年間で、失踪する実習生は技能実習が続いた場合と比べて何％増える、または減るでしょうか？",
    "lesson.mobility.predict": "実習生の失踪、制度改正と技能実習の比較（3年後、％）",
    "lesson.mobility.axis": "失踪、制度改正と技能実習の比較",
    "lesson.mobility.explain": "理由：モデルでは、雇用主に耐えられなくなった実習生は出口を探します。育成就労では転籍制限期間の後に合法的な出口（同一分野での転籍）があるので、違法な出口を選ぶ人が減ります。効果は育成就労の実習生が入国し制限期間を過ぎるにつれて現れます。2027年にいる実習生は技能実習のまま修了します。",
    "lesson.mobility.notice": "注目点：最初の1年は技能実習とほぼ同じ（切替えは新規入国者のみ）。本人の希望による転籍は制限期間の後に現れます。事前計算の実行はばらつくので、1回の実行は誤解を招くことがあります。",
    "lesson.mobility.try": "試してみよう：自由操作で転籍制限期間を0か月や24か月にして比べる。比べる制度に「自由な転籍」を選ぶ。",
    "lesson.rural.title": "なぜ地方の雇用主は育成就労を心配するの？",
    "lesson.rural.question": "大都市圏（東京、大阪、愛知…）は賃金が高い。地方の雇用主は、転籍できるようになると実習生が都市へ移り、地方の求人が埋まらなくなると心配しています。5年後、大都市圏以外の求人充足率は技能実習と比べて何ポイント高い、または低いでしょうか？",
    "lesson.rural.predict": "大都市圏以外の求人充足率、制度改正－技能実習（5年後、ポイント）",
    "lesson.rural.axis": "地方の求人充足率、制度改正－技能実習",
    "lesson.rural.explain": "理由：都市への移動は、転籍制限期間、同一分野の要件、大都市圏の上限（大都市圏の企業の育成就労外国人のうち他地域からの転籍者は1/6まで）と費用分担で制限されます。人を失った地方の企業は賃金を上げます。地方が人を失うかどうかは、転籍そのものよりこれらのルールで決まります。",
    "lesson.rural.notice": "注目点：多くの実行で制度改正後の地方の求人充足率は下がりますが、その大きさは実行ごとに大きく異なります。地図（「地図とネットワーク」タブ、純転入数）でどの都道府県が増えるか見てみよう。",
    "lesson.rural.try": "試してみよう：自由操作で大都市圏の上限を「上限なし」、費用分担を0にして、法律どおりの制度と比べる。",
    "glossary.body": """
**転籍**：雇用主を変えること。技能実習では「やむを得ない場合」（倒産、重大な違反、暴力など）に限られ、育成就労では
1〜2年の就労後、本人の意向による転籍も認められる。*出典：外国人の技能実習の適正な実施及び技能実習生の保護に関する法律
（平成28年法律第89号）、2024年の改正法（下記）。*

**技能実習（TITP）**：1993年から。建前は開発途上国への技能移転、実際には中小企業の労働力。1号（1年）、2号（2年）、
3号（2年、優良な実習実施者のみ）。*出典：技能実習法、出入国在留管理庁。*

**育成就労（ESD）**：2027年4月1日から技能実習に代わる制度。特定技能1号の水準の人材を3年間で育成することを目的とし、
同一分野内で1〜2年後の転籍、試験、大都市圏への転籍の上限、雇用主間の費用分担がある。*出典：出入国管理及び難民認定法
及び技能実習法の一部を改正する法律（2024年6月）、厚生労働省・出入国在留管理庁の省令案（2025年9月）。*

**監理団体**：主に事業協同組合。海外の送出機関を通じて実習生を受け入れ、会員企業を監査し（3か月に1回以上）、
実習生を支援する。監理する企業と近いことが多い。育成就労では**監理支援機関**となり、独立性の要件が厳しくなる。
*出典：技能実習法と省令、外国人技能実習機構。*

**特定技能1号／2号（SSW）**：2019年4月からの在留資格。1号：通算5年まで、同一分野内の転職可、家族帯同不可。
2号：更新の上限なし、家族帯同可、定住への道。*出典：出入国管理及び難民認定法（2018年改正）、出入国在留管理庁。*

**外国人技能実習機構（OTIT）**：2017年から。技能実習計画の認定、監理団体の許可、実習実施者の実地検査（約3年に1回）。
*出典：技能実習法、機構の業務統計。*

**失踪**：実習生が許可なく職場を離れること。多くは不法就労へ。年間約5,000〜10,000人（2015〜2024年）。
*出典：報道された出入国在留管理庁の数値。docs/validation.md がモデルと比べています。*

**送出機関の手数料**：母国の送出機関が請求する手数料。借金で払うことが多く、借金が劣悪な職場から離れることを妨げる。
**大都市圏の上限**：育成就労では、大都市圏の企業の育成就労外国人のうち、指定区域外からの転籍者は1/6まで、
どの企業でも転籍者は1/3まで。**費用分担**：転籍先が元の雇用主に採用・育成費用の一部を支払う（採算が合うときだけ転籍者を雇う）。

モデル、その前提と出典：プロジェクトの docs/ODD.md。
""",
}

STRINGS: dict[str, dict[str, str]] = {"en": EN, "ja": JA}

#: The levers in Japanese (English: each ``dashboards.levers.Lever``'s own label, explanation and
#: choices, which the scenario validation's messages also use). ``lever_text`` reads both.
JA_LEVERS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "policy.transfer.regime": ("転籍", "実習生が本人の希望で雇用主を変えられるのはいつ？",
                               ("やむを得ない場合のみ（技能実習）", "一定期間の就労後（育成就労）", "いつでも（自由）")),
    "policy.transfer.waiting_months": ("転籍制限期間（月）", "本人の希望による転籍ができるまで最初の雇用主のもとで働く月数（育成就労：12）。", ()),
    "policy.transfer.waiting_months_by_field": ("5分野は2年", "育成就労の案：建設、飲食料品製造、工業製品製造、繊維、介護は24か月。", ()),
    "policy.transfer.same_field": ("同一分野のみ", "転籍しても同じ業務区分にとどまる。", ()),
    "policy.stay.max_trainee_months": ("実習生としての最長在留（月）", "実習の在留資格の期間（技能実習：60、育成就労：36。育成就労は最長60）。", ()),
    "policy.stay.ssw1_path": ("特定技能への道", "試験に合格した実習生は特定技能1号（さらに2号）に移り、長く在留できるか。", ()),
    "policy.supervision.independence_mean": ("監理の独立性", "会員企業と利害関係のない監理団体が、見つけた違反のうち報告する割合（0＝隠す、1＝すべて報告）。", ()),
    "policy.supervision.share_bodies_tied_officers": ("会員企業と関係のある役員が運営する団体", "監理する企業の出身者が役員の監理団体の割合（技能実習：多数、育成就労：禁止）。報告が少ない。", ()),
    "policy.supervision.audit_monthly": ("監査の頻度（企業1社あたり月の監査回数）", "監理団体が会員企業を監査する頻度（0.33＝3か月に1回、法定の最低）。", ()),
    "policy.recruitment.broker_fee_cap_yen": ("送出機関の手数料の上限", "母国の送出機関が新規入国者に請求できる最高額（多くは借金で支払う）。",
                                             ("上限なし", "¥100,000", "¥200,000", "¥300,000", "¥500,000", "¥700,000")),
    "policy.transfer.metro_cap_share": ("大都市圏の上限", "大都市圏の企業の育成就労外国人のうち、他地域からの転籍者はこの割合まで（育成就労：1/6）。",
                                       ("上限なし", "1/6（育成就労）", "1/4", "1/3", "1/2", "1（制約なし）")),
    "policy.transfer.reimbursement_yen": ("費用分担（円）", "転籍先が元の雇用主に支払う採用・育成費用（育成就労：40万円）。", ()),
}

#: The 47 prefectures in Japanese, JIS X 0401 order (the order of ``sim.geography`` and the map).
PREFECTURES_JA: tuple[str, ...] = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
    "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
    "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
    "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
    "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
)


def prefecture_names(lang: str, english: list[str]) -> list[str]:
    """The prefectures' names in ``lang`` (``english``: the model's names, JIS order)."""
    return list(PREFECTURES_JA) if lang == "ja" and len(english) == len(PREFECTURES_JA) else list(english)


def lever_text(lang: str, lever) -> tuple[str, str, tuple[str, ...]]:
    """A lever's label, explanation and choice labels in ``lang`` (``lever``: ``dashboards.levers.Lever``)."""
    english = (lever.label, lever.explanation, tuple(label for label, _ in lever.choices))
    if lang == "ja" and lever.key in JA_LEVERS:
        return JA_LEVERS[lever.key]
    return english


def text(lang: str, key: str, **values) -> str:
    """The string ``key`` in ``lang`` with ``values`` filled in (English, then the key, if missing)."""
    template = STRINGS.get(lang, EN).get(key) or EN.get(key) or key
    return template.format(**values) if values else template


def scenario_keys(name: str) -> tuple[str, ...]:
    """The strings a shipped scenario needs to be a preset of the page."""
    return (f"preset.{name}", f"short.{name}", f"assumes.{name}")


def missing_keys() -> dict[str, set[str]]:
    """Keys some language has and this one lacks, by language (empty sets: complete)."""
    every = set().union(*STRINGS.values())
    return {lang: every - set(table) for lang, table in STRINGS.items()}
