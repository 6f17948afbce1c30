package geo

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

type rawGeometry struct {
	Type        *string           `json:"type"`
	Coordinates json.RawMessage   `json:"coordinates"`
	Geometries  []json.RawMessage `json:"geometries"`
}

// geometry turns a feature's raw geometry into lon/lat orb geometry, or
// explains why it cannot. Nothing is closed, reoriented or repaired.
func (d *decoder) geometry(rf *rawFeature, crs CRS) (orb.Geometry, []geomProblem) {
	p := &geomParser{crs: crs, feature: rf.Index, line: rf.Line, allowed: d.opts.GeometryTypes, what: d.opts.LayerKind}
	if n := countPositions(rf.geom); n > d.opts.MaxVertices {
		p.add(nil, "geometry has %d positions, more than the limit of %d (--max-vertices)", n, d.opts.MaxVertices)
		return nil, p.problems
	}
	g := p.parse(rf.geom, 0)
	if len(p.problems) > 0 {
		return g, p.problems
	}
	if !p.typeAllowed(g) {
		return g, p.problems
	}
	if msg, at := Validity(g); msg != "" {
		p.add(at, "%s", msg)
	}
	return g, p.problems
}

type geomParser struct {
	crs      CRS
	feature  int
	line     int
	allowed  []string
	what     string
	problems []geomProblem
}

func (p *geomParser) add(at *orb.Point, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if at != nil {
		msg += fmt.Sprintf(" at or near %s %s", formatCoord(round7(at[0])), formatCoord(round7(at[1])))
	}
	p.problems = append(p.problems, geomProblem{Problem: Problem{Kind: ProblemGeometry, Feature: p.feature, Line: p.line, Message: msg, At: at}})
}

func round7(v float64) float64 { return math.Round(v*1e7) / 1e7 }

func (p *geomParser) typeAllowed(g orb.Geometry) bool {
	if len(p.allowed) == 0 || g == nil {
		return true
	}
	t := g.GeoJSONType()
	for _, a := range p.allowed {
		if a == t {
			return true
		}
	}
	p.add(firstPoint(g), "a %s in a %s layer (want %s)", t, p.what, strings.Join(p.allowed, " or "))
	return false
}

func (p *geomParser) parse(raw json.RawMessage, depth int) orb.Geometry {
	var rg rawGeometry
	if err := json.Unmarshal(raw, &rg); err != nil {
		p.add(nil, "geometry is %s, not a GeoJSON geometry object", kindOf(raw))
		return nil
	}
	if rg.Type == nil {
		p.add(nil, "geometry has no \"type\" member")
		return nil
	}
	typ := *rg.Type
	if typ == "GeometryCollection" {
		if depth > 0 {
			p.add(nil, "nested GeometryCollection (RFC 7946 §3.1.8 says they should not nest)")
			return nil
		}
		if rg.Geometries == nil {
			p.add(nil, "GeometryCollection has no \"geometries\" array")
			return nil
		}
		var c orb.Collection
		for _, m := range rg.Geometries {
			g := p.parse(m, depth+1)
			if g == nil && len(p.problems) == 0 {
				p.add(nil, "null member in a GeometryCollection")
			}
			if len(p.problems) > 0 {
				return nil
			}
			c = append(c, g)
		}
		return c
	}
	if len(rg.Coordinates) == 0 {
		if typeKnown(typ) {
			p.add(nil, "%s has no \"coordinates\" member", typ)
		} else {
			p.add(nil, "unknown geometry type %q", typ)
		}
		return nil
	}
	switch typ {
	case "Point":
		var c []float64
		if !p.unmarshal(rg.Coordinates, &c, typ, "a position (an array of numbers)") {
			return nil
		}
		pt, ok := p.position(c)
		if !ok {
			return nil
		}
		return pt
	case "MultiPoint":
		var c [][]float64
		if !p.unmarshal(rg.Coordinates, &c, typ, "an array of positions") {
			return nil
		}
		mp := make(orb.MultiPoint, 0, len(c))
		for _, pos := range c {
			pt, ok := p.position(pos)
			if !ok {
				return nil
			}
			mp = append(mp, pt)
		}
		return mp
	case "LineString":
		var c [][]float64
		if !p.unmarshal(rg.Coordinates, &c, typ, "an array of positions") {
			return nil
		}
		ls, ok := p.lineString(c)
		if !ok {
			return nil
		}
		return ls
	case "MultiLineString":
		var c [][][]float64
		if !p.unmarshal(rg.Coordinates, &c, typ, "an array of line strings (arrays of positions)") {
			return nil
		}
		mls := make(orb.MultiLineString, 0, len(c))
		for _, l := range c {
			ls, ok := p.lineString(l)
			if !ok {
				return nil
			}
			mls = append(mls, ls)
		}
		return mls
	case "Polygon":
		var c [][][]float64
		if !p.unmarshal(rg.Coordinates, &c, typ, "an array of linear rings (arrays of positions)") {
			return nil
		}
		poly, ok := p.polygon(c)
		if !ok {
			return nil
		}
		return poly
	case "MultiPolygon":
		var c [][][][]float64
		if !p.unmarshal(rg.Coordinates, &c, typ, "an array of polygons (arrays of linear rings)") {
			return nil
		}
		mp := make(orb.MultiPolygon, 0, len(c))
		for _, pc := range c {
			poly, ok := p.polygon(pc)
			if !ok {
				return nil
			}
			mp = append(mp, poly)
		}
		return mp
	}
	p.add(nil, "unknown geometry type %q", typ)
	return nil
}

func typeKnown(t string) bool {
	switch t {
	case "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon":
		return true
	}
	return false
}

// outOfRange matches encoding/json's error for a number that does not fit
// ("cannot unmarshal number 1e400 into ..."), not the one for a number
// where an array belongs ("cannot unmarshal number into ...").
var outOfRange = regexp.MustCompile(`cannot unmarshal number (\S+) into`)

func (p *geomParser) unmarshal(raw json.RawMessage, v any, typ, want string) bool {
	if err := json.Unmarshal(raw, v); err != nil {
		if m := outOfRange.FindStringSubmatch(err.Error()); m != nil {
			if _, perr := strconv.ParseFloat(m[1], 64); perr != nil {
				p.add(nil, "coordinate %s is out of range (not a finite float64)", m[1])
				return false
			}
		}
		p.add(nil, "coordinates of a %s must be %s", typ, want)
		return false
	}
	return true
}

// position converts one source position to lon/lat and checks its range.
func (p *geomParser) position(c []float64) (orb.Point, bool) {
	if len(c) < 2 {
		p.add(nil, "position %v has %d number(s); a position needs at least 2", c, len(c))
		return orb.Point{}, false
	}
	x, y := c[0], c[1]
	if !isFinite(x) || !isFinite(y) {
		p.add(nil, "non-finite coordinate %v %v", x, y)
		return orb.Point{}, false
	}
	if p.crs.Geographic {
		if x < -180 || x > 180 || y < -90 || y > 90 {
			pr := geomProblem{Problem: Problem{Kind: ProblemGeometry, Feature: p.feature, Line: p.line,
				Message: fmt.Sprintf("coordinate %s %s is out of range for %s (lon -180..180, lat -90..90)", formatCoord(x), formatCoord(y), p.crs)},
				looksProjected: LooksProjected(x, y)}
			p.problems = append(p.problems, pr)
			return orb.Point{}, false
		}
		return orb.Point{x, y}, true
	}
	lon, lat := p.crs.ToLonLat(x, y)
	if !isFinite(lon) || !isFinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90 || math.Abs(lon-p.crs.CentralMeridian) > 10 {
		p.add(nil, "coordinate %s %s is outside the area of %s", formatCoord(x), formatCoord(y), p.crs)
		return orb.Point{}, false
	}
	return orb.Point{lon, lat}, true
}

func (p *geomParser) lineString(c [][]float64) (orb.LineString, bool) {
	ls := make(orb.LineString, 0, len(c))
	for _, pos := range c {
		pt, ok := p.position(pos)
		if !ok {
			return nil, false
		}
		ls = append(ls, pt)
	}
	if len(ls) < 2 {
		var at *orb.Point
		if len(ls) > 0 {
			at = &ls[0]
		}
		p.add(at, "LineString has %d position(s); it needs at least 2", len(ls))
		return nil, false
	}
	return ls, true
}

func (p *geomParser) polygon(c [][][]float64) (orb.Polygon, bool) {
	if len(c) == 0 {
		p.add(nil, "Polygon has no rings")
		return nil, false
	}
	poly := make(orb.Polygon, 0, len(c))
	for i, rc := range c {
		r := make(orb.Ring, 0, len(rc))
		for _, pos := range rc {
			pt, ok := p.position(pos)
			if !ok {
				return nil, false
			}
			r = append(r, pt)
		}
		which := "exterior ring"
		if i > 0 {
			which = fmt.Sprintf("interior ring %d", i)
		}
		var at *orb.Point
		if len(r) > 0 {
			at = &r[0]
		}
		if len(r) < 4 {
			p.add(at, "%s has %d position(s); a linear ring needs at least 4", which, len(r))
			return nil, false
		}
		if r[0] != r[len(r)-1] {
			p.add(at, "%s is not closed (first and last positions differ; nothing is auto-closed)", which)
			return nil, false
		}
		poly = append(poly, r)
	}
	return poly, true
}

// windingProblem explains the first ring against the RFC 7946 right-hand
// rule (exterior counter-clockwise, holes clockwise), or returns "".
func windingProblem(g orb.Geometry) string {
	check := func(poly orb.Polygon) string {
		for i, r := range poly {
			o := r.Orientation()
			if i == 0 && o == orb.CW {
				return "exterior ring is clockwise; RFC 7946 §3.1.6 asks for counter-clockwise (right-hand rule); accepted as is"
			}
			if i > 0 && o == orb.CCW {
				return fmt.Sprintf("interior ring %d is counter-clockwise; RFC 7946 §3.1.6 asks for clockwise holes (right-hand rule); accepted as is", i)
			}
		}
		return ""
	}
	switch g := g.(type) {
	case orb.Polygon:
		return check(g)
	case orb.MultiPolygon:
		for _, p := range g {
			if m := check(p); m != "" {
				return m
			}
		}
	case orb.Collection:
		for _, c := range g {
			if m := windingProblem(c); m != "" {
				return m
			}
		}
	}
	return ""
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

// countPositions estimates the positions in raw geometry JSON by counting
// the '[' that open a position (followed by a number), without decoding.
func countPositions(raw []byte) int {
	n := 0
	for i := 0; i+1 < len(raw); i++ {
		if raw[i] != '[' {
			continue
		}
		j := i + 1
		for j < len(raw) && (raw[j] == ' ' || raw[j] == '\n' || raw[j] == '\r' || raw[j] == '\t') {
			j++
		}
		if j < len(raw) && (raw[j] == '-' || (raw[j] >= '0' && raw[j] <= '9')) {
			n++
		}
	}
	return n
}
