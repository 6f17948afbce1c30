package geo

import (
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// finish places a feature's parsed geometry in lon/lat and checks it:
// coordinate ranges, rings, the level's geometry types and OGC validity.
// Nothing is closed, reoriented or repaired.
func (d *builder) finish(rf *RawFeature, crs CRS) (orb.Geometry, []geomProblem) {
	placer := d.placer(rf.Index, rf.Line)
	p := &placer
	p.crs, p.problems = crs, rf.geomProblems()
	g := rf.Geometry
	if len(p.problems) > 0 {
		return nil, p.problems
	}
	if !p.place(g) {
		return nil, p.problems
	}
	g = p.placed(g)
	if !p.typeAllowed(g) {
		return g, p.problems
	}
	// place refused every non-finite coordinate, so Validity's first
	// pass over the points would find nothing.
	if msg, at := validity(g, Text{}); msg.Message != "" {
		p.add(at, msg)
	}
	return g, p.problems
}

// placer places one feature's geometry and collects its problems.
type placer struct {
	crs      CRS
	feature  int
	line     int
	allowed  []string
	what     string
	problems []geomProblem
}

func (p *placer) add(at *orb.Point, msg Text) {
	if at != nil {
		msg = msg.Near(*at)
	}
	p.problems = append(p.problems, geomProblem{Problem: Problem{Kind: ProblemGeometry, Feature: p.feature, Line: p.line, Text: msg, At: at}})
}

func round7(v float64) float64 { return math.Round(v*1e7) / 1e7 }

func formatCoord(v float64) string {
	if a := math.Abs(v); a >= 1e21 || (a > 0 && a < 1e-7) {
		// 1e308 as 1e+308, not as 309 digits.
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func (p *placer) typeAllowed(g orb.Geometry) bool {
	if len(p.allowed) == 0 || g == nil {
		return true
	}
	t := g.GeoJSONType()
	for _, a := range p.allowed {
		if a == t {
			return true
		}
	}
	want := Text{Message: strings.Join(p.allowed, " or "), MessageZH: strings.Join(p.allowed, " 或 ")}
	p.add(firstPoint(g), Textf("a %s in a %s layer (want %s)", "%[2]s 图层中出现 %[1]s（应为 %[3]s）", t, p.what, want))
	return false
}

// place brings a parsed geometry from source coordinates to lon/lat in
// place, checking coordinate ranges, line lengths and ring closure: what
// can only be judged once the CRS is known.
func (p *placer) place(g orb.Geometry) bool {
	if msg := emptyMulti(g); msg.Message != "" {
		// RFC 7946 lets readers take an empty geometry for null; a plan
		// feature without a place is reported, like an empty Polygon, not
		// dropped.
		p.add(nil, msg)
		return false
	}
	switch g := g.(type) {
	case orb.Point:
		_, ok := p.position(g)
		return ok
	case orb.MultiPoint:
		return p.points(g)
	case orb.LineString:
		return p.lineString(g)
	case orb.MultiLineString:
		for _, l := range g {
			if !p.lineString(l) {
				return false
			}
		}
	case orb.Polygon:
		return p.polygon(g)
	case orb.MultiPolygon:
		for _, poly := range g {
			if !p.polygon(poly) {
				return false
			}
		}
	case orb.Collection:
		for i, c := range g {
			if !p.place(c) {
				return false
			}
			g[i] = p.placed(c)
		}
	}
	return true
}

// emptyMulti explains a multi-part geometry or collection with no parts
// ("coordinates": []), or returns "". Empty Polygons and LineStrings are
// explained where their rings and positions are checked.
func emptyMulti(g orb.Geometry) Text {
	n, what := -1, Text{}
	switch g := g.(type) {
	case orb.MultiPoint:
		n, what = len(g), Text{Message: "positions", MessageZH: "位置"}
	case orb.MultiLineString:
		n, what = len(g), Text{Message: "line strings", MessageZH: "线"}
	case orb.MultiPolygon:
		n, what = len(g), Text{Message: "polygons", MessageZH: "多边形"}
	case orb.Collection:
		n, what = len(g), Text{Message: "geometries", MessageZH: "几何"}
	}
	if n != 0 {
		return Text{}
	}
	return Textf("%s has no %s (an empty geometry); it takes part in no rule", "%s 没有任何%s（空几何），不参与任何规则", g.GeoJSONType(), what)
}

// placed returns g with a Point moved to lon/lat; the other types were
// moved in place by place.
func (p *placer) placed(g orb.Geometry) orb.Geometry {
	if pt, ok := g.(orb.Point); ok {
		q, _ := p.position(pt)
		return q
	}
	return g
}

func (p *placer) points(pts []orb.Point) bool {
	if p.crs.Geographic {
		// Lon/lat stay as they are: only check them, and leave the
		// memory unwritten.
		for _, pt := range pts {
			if !(pt[0] >= -180 && pt[0] <= 180 && pt[1] >= -90 && pt[1] <= 90) {
				_, ok := p.position(pt) // explains it (NaN fails every comparison)
				return ok
			}
		}
		return true
	}
	for i, pt := range pts {
		q, ok := p.position(pt)
		if !ok {
			return false
		}
		pts[i] = q
	}
	return true
}

// position converts one source position to lon/lat and checks its range.
func (p *placer) position(c orb.Point) (orb.Point, bool) {
	x, y := c[0], c[1]
	if !isFinite(x) || !isFinite(y) {
		p.add(nil, Textf("non-finite coordinate %v %v", "坐标 %v %v 不是有限数", x, y))
		return orb.Point{}, false
	}
	if p.crs.Geographic {
		if x < -180 || x > 180 || y < -90 || y > 90 {
			pr := geomProblem{Problem: Problem{Kind: ProblemGeometry, Feature: p.feature, Line: p.line,
				Text: Textf("coordinate %s %s is out of range for %s (lon -180..180, lat -90..90)", "坐标 %s %s 超出 %s 的范围（经度 -180..180，纬度 -90..90）", formatCoord(x), formatCoord(y), p.crs)},
				looksProjected: LooksProjected(x, y), looksSwapped: x >= -90 && x <= 90 && math.Abs(y) > 90 && math.Abs(y) <= 180}
			p.problems = append(p.problems, pr)
			return orb.Point{}, false
		}
		return orb.Point{x, y}, true
	}
	lon, lat := p.crs.ToLonLat(x, y)
	if !isFinite(lon) || !isFinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90 || (p.crs.Shift == NoShift && math.Abs(lon-p.crs.CentralMeridian) > 10) {
		p.add(nil, Textf("coordinate %s %s is outside the area of %s", "坐标 %s %s 超出 %s 的适用范围", formatCoord(x), formatCoord(y), p.crs))
		return orb.Point{}, false
	}
	return orb.Point{lon, lat}, true
}

func (p *placer) lineString(ls orb.LineString) bool {
	if !p.points(ls) {
		return false
	}
	if len(ls) < 2 {
		var at *orb.Point
		if len(ls) > 0 {
			at = &ls[0]
		}
		p.add(at, Textf("LineString has %d position(s); it needs at least 2", "LineString 有 %d 个位置，至少需要 2 个", len(ls)))
		return false
	}
	return true
}

func (p *placer) polygon(poly orb.Polygon) bool {
	if len(poly) == 0 {
		p.add(nil, Text{Message: "Polygon has no rings (an empty geometry); it takes part in no rule", MessageZH: "Polygon 没有任何环（空几何），不参与任何规则"})
		return false
	}
	for i, r := range poly {
		if !p.points(r) {
			return false
		}
		which := ringName(i)
		var at *orb.Point
		if len(r) > 0 {
			at = &r[0]
		}
		if len(r) < 4 {
			p.add(at, Textf("%s has %d position(s); a linear ring needs at least 4", "%s有 %d 个位置，线性环至少需要 4 个", which, len(r)))
			return false
		}
		if r[0] != r[len(r)-1] {
			p.add(at, Textf("%s is not closed (first and last positions differ; nothing is auto-closed)", "%s未闭合（首末位置不同；不会自动闭合）", which))
			return false
		}
	}
	return true
}

// windingProblem explains the first ring against the RFC 7946 right-hand
// rule (exterior counter-clockwise, holes clockwise), or returns "".
func windingProblem(g orb.Geometry) Text {
	check := func(poly orb.Polygon) Text {
		for i, r := range poly {
			o := r.Orientation()
			if i == 0 && o == orb.CW {
				return Text{Message: "exterior ring is clockwise; RFC 7946 §3.1.6 asks for counter-clockwise (right-hand rule); accepted as is",
					MessageZH: "外环为顺时针；RFC 7946 §3.1.6 要求逆时针（右手法则）；按原样使用"}
			}
			if i > 0 && o == orb.CCW {
				return Textf("interior ring %d is counter-clockwise; RFC 7946 §3.1.6 asks for clockwise holes (right-hand rule); accepted as is",
					"第 %d 个内环为逆时针；RFC 7946 §3.1.6 要求洞为顺时针（右手法则）；按原样使用", i)
			}
		}
		return Text{}
	}
	switch g := g.(type) {
	case orb.Polygon:
		return check(g)
	case orb.MultiPolygon:
		for _, p := range g {
			if m := check(p); m.Message != "" {
				return m
			}
		}
	case orb.Collection:
		for _, c := range g {
			if m := windingProblem(c); m.Message != "" {
				return m
			}
		}
	}
	return Text{}
}

func firstPoint(g orb.Geometry) *orb.Point {
	var pt *orb.Point
	switch g := g.(type) {
	case orb.Point:
		pt = &g
	case orb.MultiPoint:
		if len(g) > 0 {
			pt = &g[0]
		}
	case orb.LineString:
		if len(g) > 0 {
			pt = &g[0]
		}
	case orb.MultiLineString:
		if len(g) > 0 {
			return firstPoint(g[0])
		}
	case orb.Polygon:
		if len(g) > 0 && len(g[0]) > 0 {
			pt = &g[0][0]
		}
	case orb.MultiPolygon:
		if len(g) > 0 {
			return firstPoint(g[0])
		}
	case orb.Collection:
		if len(g) > 0 {
			return firstPoint(g[0])
		}
	}
	if pt == nil {
		return nil
	}
	c := *pt
	return &c
}
