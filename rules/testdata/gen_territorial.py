# go generate-style helper: /usr/bin/python3 rules/testdata/gen_territorial.py (from the repository root)
# rewrites the txtar cases of the 三区三线 and coverage rules. It needs pyproj (Debian python3-pyproj).
# Writes the rulestest cases of the 三区三线 rules; areas from pyproj Geod
# (Karney), independent of plancheck's own geodesic code.
import json, math, os
from pyproj import Geod
G = Geod(ellps='WGS84')

def box(x0, y0, x1, y1):
    return [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]

def area(x0, y0, x1, y1):
    r = box(x0, y0, x1, y1)[0]
    a, _ = G.polygon_area_perimeter([p[0] for p in r], [p[1] for p in r])
    return abs(a)

def corridor(lon, y0, y1, w):
    L = G.inv(lon, y0, lon, y1)[2]
    return L * w + 16 * (w / 2) ** 2 * math.sin(math.pi / 16)

def feat(fid, cls, geom, extra=None):
    p = {"class": cls}
    if extra:
        p.update(extra)
    return json.dumps({"type": "Feature", "id": fid, "properties": p, "geometry": geom}, ensure_ascii=False)

def poly(x0, y0, x1, y1):
    return {"type": "Polygon", "coordinates": box(x0, y0, x1, y1)}

def line(lon, y0, y1):
    return {"type": "LineString", "coordinates": [[lon, y0], [lon, y1]]}

def layer(feats):
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(feats) + "\n]}\n"

def manifest(layers):
    out = "name: test\nasof: 2026\nlayers:\n"
    for name, level in layers:
        out += f"  - name: {name}\n    level: {level}\n    file: {name}.geojson\n"
    return out

def write(rule, comment, layers, files, want):
    d = os.path.join("rules/testdata", rule)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "basic.txtar"), "w") as f:
        f.write(comment.strip() + "\n")
        f.write("-- plancheck.yaml --\n" + manifest(layers))
        for name, feats in files:
            f.write(f"-- {name}.geojson --\n" + layer(feats))
        f.write("-- want --\n" + "".join(w + "\n" for w in want))

# The control lines used by most cases: a development boundary, permanent
# farmland and a red line, each a 0.01° box side by side along 28°N.
CL = [
    feat("CZ-1", "CZKFBJ", poly(113.00, 28.00, 113.01, 28.01)),
    feat("YJ-1", "永久基本农田", poly(113.02, 28.00, 113.03, 28.01)),
    feat("ST-1", "STBHHX", poly(113.04, 28.00, 113.05, 28.01)),
]

write("urban-land-outside-development-boundary", """
城镇开发边界 CZ-1 is the box 113.00–113.01°E × 28.00–28.01°N. Per feature, the part of urban
construction land (city-master R…G, not H*; land-use 030) outside every boundary polygon; areas are
the outside parts (pyproj). R-in lies inside; H14 (village land) and E1 outside give nothing; the
040 zone outside gives nothing (only 030 is urban).
""", [("cm", "city-master"), ("lu", "land-use"), ("cl", "control-line")],
    [("cm", [
        feat("R-in", "R2", poly(113.002, 28.002, 113.005, 28.005)),
        feat("R-half", "R2", poly(113.008, 28.000, 113.012, 28.005)),
        feat("G-out", "G1", poly(113.015, 28.000, 113.018, 28.003)),
        feat("H-out", "H14", poly(113.015, 28.004, 113.018, 28.007)),
        feat("E-out", "E1", poly(113.015, 28.008, 113.018, 28.010)),
    ]), ("lu", [
        feat("LU-030", "030", poly(113.005, 28.006, 113.015, 28.009)),
        feat("LU-040", "040", poly(112.990, 28.000, 112.995, 28.005)),
    ]), ("cl", CL)],
    [f"cm#R-half area={area(113.01, 28.0, 113.012, 28.005):.2f}: lies outside the urban development boundary",
     f"cm#G-out area={area(113.015, 28.0, 113.018, 28.003):.2f}: lies outside the urban development boundary",
     f"lu#LU-030 area={area(113.01, 28.006, 113.015, 28.009):.2f}: lies outside the urban development boundary"])

write("construction-in-ecological-redline", """
生态保护红线 ST-1 is the box 113.04–113.05°E × 28.00–28.01°N. Construction land except G*, land-use
construction zones and infrastructure facility polygons that overlap it; areas of the overlaps
(pyproj). G1 green space, a land-use 010 zone and a road line (a corridor: another rule) give
nothing, nor does a parcel on the development boundary.
""", [("cm", "city-master"), ("lu", "land-use"), ("infra", "infrastructure"), ("cl", "control-line")],
    [("cm", [
        feat("R-cross", "R2", poly(113.048, 28.000, 113.052, 28.005)),
        feat("H-in", "H14", poly(113.041, 28.001, 113.043, 28.003)),
        feat("G-in", "G1", poly(113.044, 28.001, 113.046, 28.003)),
        feat("R-cz", "R2", poly(113.002, 28.002, 113.005, 28.005)),
    ]), ("lu", [
        feat("LU-040", "040", poly(113.041, 28.006, 113.043, 28.008)),
        feat("LU-010", "010", poly(113.044, 28.006, 113.046, 28.008)),
    ]), ("infra", [
        feat("FAC-1", "facility", poly(113.047, 28.006, 113.049, 28.008)),
        feat("RD-1", "road", line(113.045, 27.99, 28.02)),
    ]), ("cl", CL)],
    [f"cm#R-cross × cl#ST-1 area={area(113.048, 28.0, 113.05, 28.005):.2f}: lies in the ecological red line",
     f"cm#H-in × cl#ST-1 area={area(113.041, 28.001, 113.043, 28.003):.2f}: lies in the ecological red line",
     f"lu#LU-040 × cl#ST-1 area={area(113.041, 28.006, 113.043, 28.008):.2f}: lies in the ecological red line",
     f"infra#FAC-1 × cl#ST-1 area={area(113.047, 28.006, 113.049, 28.008):.2f}: lies in the ecological red line"])

write("infrastructure-in-ecological-redline", """
A 40 m road along the meridian 113.045°E from 28.002° to 28.008°N wholly inside the red line ST-1:
area = L·w + the 32-gon of the two round caps (8 segments per quarter circle), L the geodesic length
(pyproj). A facility polygon in the red line and a road on permanent farmland give nothing here.
""", [("infra", "infrastructure"), ("cl", "control-line")],
    [("infra", [
        feat("RD-1", "road", line(113.045, 28.002, 28.008)),
        feat("RD-2", "road", line(113.025, 28.002, 28.008)),
        feat("FAC-1", "facility", poly(113.047, 28.006, 113.049, 28.008)),
    ]), ("cl", CL)],
    [f"infra#RD-1 × cl#ST-1 area={corridor(113.045, 28.002, 28.008, 40):.2f}: crosses the ecological red line"])

write("construction-on-permanent-farmland", """
永久基本农田 YJ-1 is the box 113.02–113.03°E × 28.00–28.01°N. City-master construction land (G* included,
as in construction-on-basic-farmland) that overlaps it; areas of the overlaps (pyproj). E1 and a
land-use construction zone give nothing.
""", [("cm", "city-master"), ("lu", "land-use"), ("cl", "control-line")],
    [("cm", [
        feat("M-cross", "M1", poly(113.028, 28.000, 113.032, 28.004)),
        feat("G-in", "G1", poly(113.021, 28.001, 113.023, 28.003)),
        feat("E-in", "E1", poly(113.024, 28.001, 113.026, 28.003)),
    ]), ("lu", [
        feat("LU-030", "030", poly(113.021, 28.006, 113.023, 28.008)),
    ]), ("cl", CL)],
    [f"cm#M-cross × cl#YJ-1 area={area(113.028, 28.0, 113.03, 28.004):.2f}: overlaps permanent basic farmland",
     f"cm#G-in × cl#YJ-1 area={area(113.021, 28.001, 113.023, 28.003):.2f}: overlaps permanent basic farmland"])

write("infrastructure-on-permanent-farmland", """
A 20 m power line along the meridian 113.025°E from 28.001° to 28.009°N wholly inside permanent
farmland YJ-1: area = L·w + the 32-gon of the round caps (pyproj for L). A road in the red line and a
station point on the farmland give nothing.
""", [("infra", "infrastructure"), ("cl", "control-line")],
    [("infra", [
        feat("PW-1", "power", line(113.025, 28.001, 28.009)),
        feat("RD-1", "road", line(113.045, 28.002, 28.008)),
        feat("ST-1", "station", {"type": "Point", "coordinates": [113.022, 28.005]}),
    ]), ("cl", CL)],
    [f"infra#PW-1 × cl#YJ-1 area={corridor(113.025, 28.001, 28.009, 20):.2f}: crosses permanent basic farmland"])

write("control-lines-overlap", """
Three control lines of different kinds overlap pairwise, in two layers: a development boundary
reaching into permanent farmland, a red line reaching into the same farmland, and a red line over
the boundary; each pair once, the kinds in the order 城镇开发边界, 永久基本农田, 生态保护红线. Two
permanent-farmland polygons overlapping each other and boundaries that only touch give nothing.
""", [("cl", "control-line"), ("eco", "control-line")],
    [("cl", [
        feat("CZ-1", "CZKFBJ", poly(113.000, 28.00, 113.012, 28.01)),
        feat("YJ-1", "YJJBNT", poly(113.010, 28.00, 113.020, 28.01)),
        feat("YJ-2", "YJJBNT", poly(113.019, 28.00, 113.025, 28.005)),
        feat("CZ-2", "CZKFBJ", poly(113.030, 28.00, 113.040, 28.01)),
    ]), ("eco", [
        feat("ST-1", "STBHHX", poly(113.018, 28.008, 113.030, 28.012)),
        feat("ST-2", "STBHHX", poly(113.040, 28.00, 113.050, 28.01)),
        feat("ST-3", "STBHHX", poly(113.005, 28.009, 113.008, 28.015)),
    ])],
    [f"cl#CZ-1 × cl#YJ-1 area={area(113.01, 28.0, 113.012, 28.01):.2f}: overlap",
     f"cl#YJ-1 × eco#ST-1 area={area(113.018, 28.008, 113.02, 28.01):.2f}: overlap",
     f"cl#CZ-1 × eco#ST-3 area={area(113.005, 28.009, 113.008, 28.01):.2f}: overlap",
     f"cl#CZ-2 × eco#ST-1 area={area(113.03, 28.008, 113.03, 28.01):.2f}: overlap"][:3])

def boundary(fid, name, code, geom):
    return json.dumps({"type": "Feature", "id": fid, "properties": {"name": name, "code": code}, "geometry": geom}, ensure_ascii=False)

def write_manifest(rule, case, comment, manifest_text, files, want):
    d = os.path.join("rules/testdata", rule)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, case + ".txtar"), "w") as f:
        f.write(comment.strip() + "\n")
        f.write("-- plancheck.yaml --\n" + manifest_text)
        for name, feats in files:
            f.write(f"-- {name}.geojson --\n" + layer(feats))
        f.write("-- want --\n" + "".join(w + "\n" for w in want))

DISTRICTS = [
    boundary("D1", "芙蓉区", "430102", poly(113.00, 28.00, 113.02, 28.01)),
    boundary("D2", "天心区", "430103", poly(113.02, 28.00, 113.04, 28.01)),
]
write_manifest("coverage-gap", "basic", """
land-use covers both districts (113.00–113.04°E × 28.00–28.01°N) but leaves a hole in D1
(113.005–113.008 × 28.004–28.006) and a strip at the east end of D2 (113.035–113.04); each gap is
one finding with the gap's area (pyproj). The cm layer declares nothing and gives nothing.
""", """name: test
asof: 2026
layers:
  - name: districts
    level: boundary
    file: districts.geojson
  - name: lu
    level: land-use
    file: lu.geojson
    covers: districts
  - name: cm
    level: city-master
    file: cm.geojson
""", [("districts", DISTRICTS), ("lu", [
        feat("P1", "020", poly(113.00, 28.00, 113.02, 28.004)),
        feat("P2", "020", poly(113.00, 28.006, 113.02, 28.01)),
        feat("P3", "010", poly(113.00, 28.004, 113.005, 28.006)),
        feat("P4", "030", poly(113.008, 28.004, 113.02, 28.006)),
        feat("P5", "020", poly(113.02, 28.00, 113.035, 28.01)),
    ]), ("cm", [feat("R-1", "R2", poly(113.0, 28.0, 113.001, 28.001))])],
    [f"lu × districts area={area(113.035, 28.0, 113.04, 28.01):.2f}: leaves .* of districts uncovered",
     f"lu × districts area={area(113.005, 28.004, 113.008, 28.006):.2f}: leaves .* of districts uncovered"])

write_manifest("coverage-gap", "nothing-covered", """
A layer covering nothing of the district it declares (covers_codes picks D2, 天心区) is one finding,
the whole district; D1, not picked, is not checked.
""", """name: test
asof: 2026
layers:
  - name: districts
    level: boundary
    file: districts.geojson
  - name: lu
    level: land-use
    file: lu.geojson
    covers: districts
    covers_codes: ["430103"]
""", [("districts", DISTRICTS), ("lu", [
        feat("P1", "020", poly(113.00, 28.00, 113.01, 28.01)),
    ])],
    [f"lu × districts area={area(113.02, 28.0, 113.04, 28.01):.2f}: leaves .* of districts uncovered"])
