"""The students' dashboard (docs/design.md section 9): ``tenseki dashboard`` or ``solara run dashboards/app.py``.

``levers`` (presets and policy levers, validated like scenario files), ``figures`` (headline
figures, charts, map, network sample, comparison in words) and ``geometry`` (the prefectures'
outlines) are plain Python and are tested without a browser; ``app`` is the Solara page.
"""
