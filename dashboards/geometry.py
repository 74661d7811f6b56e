"""Outlines of Japan's 47 prefectures for the dashboard's map.

Source: the PyPI package ``japanmap`` 0.6.0 (Saito Tsutomu, Apache-2.0,
github.com/SaitoTsutomu/japanmap), function ``pref_points``: one outline per prefecture in
longitude/latitude, the area holding the prefectural capital, with Hokkaido and Okinawa moved
closer to Honshu as on a printed map of Japan. Chosen because it is a small pure-Python wheel
that ships its data (no download at run time, so the page works offline), ordered by JIS X 0401
code like ``sim.geography``. Only its data is read; its raster functions (which need OpenCV)
are never called.

The map is a choropleth, not a survey: small islands are left out and outlines are simplified.
"""

from __future__ import annotations

import math
from functools import lru_cache

#: Longitude is shrunk by cos(36 deg) so that the map is not stretched sideways (Japan lies
#: around 36 deg N; the same factor as japanmap's own SVG map).
LONGITUDE_FACTOR = math.cos(math.radians(36.0))


@lru_cache(maxsize=2)
def prefecture_features(detailed: bool = False) -> tuple[dict, ...]:
    """47 GeoJSON features (JIS order), planar coordinates ``[lon * LONGITUDE_FACTOR, lat]``.

    ``detailed=False`` uses japanmap's simplified outlines (about 600 points in all), light
    enough to send to the browser every month.
    """
    from japanmap import pref_points

    outlines = pref_points(rough=not detailed)
    if len(outlines) != 47:
        raise ValueError(f"japanmap gave {len(outlines)} prefecture outlines, expected 47")
    features = []
    for code, points in enumerate(outlines, start=1):
        ring = [[round(x * LONGITUDE_FACTOR, 4), round(y, 4)] for x, y in points]
        if ring[0] != ring[-1]:
            ring.append(ring[0])
        features.append({"type": "Feature", "id": code, "geometry": {"type": "Polygon", "coordinates": [ring]}, "properties": {"code": code}})
    return tuple(features)
