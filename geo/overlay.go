package geo

import (
	"fmt"
	"math"
	"regexp"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/peterstace/simplefeatures/geom"
	"github.com/peterstace/simplefeatures/rtree"
)

// The overlay engine is simplefeatures (a pure-Go port of GEOS OverlayNG),
// kept behind this file so callers only see orb types.

var nearRE = regexp.MustCompile(`\(at or near \{?(?:POINT\()?([-+0-9.eE]+)[ ,]+([-+0-9.eE]+)\)?\}?\)`)

// Validity checks OGC validity (simple rings, rings touching at most at a
// point, holes inside shells, connected interiors, non-overlapping
// MultiPolygon parts). It returns "" for a valid geometry, else what is
// wrong and where.
func Validity(g orb.Geometry) (string, *orb.Point) {
	sg, err := toSF(g)
	if err != nil {
		return err.Error(), nil
	}
	verr := sg.Validate()
	if verr == nil {
		return "", nil
	}
	msg := verr.Error()
	var at *orb.Point
	if m := nearRE.FindStringSubmatchIndex(msg); m != nil {
		x, _ := strconv.ParseFloat(msg[m[2]:m[3]], 64)
		y, _ := strconv.ParseFloat(msg[m[4]:m[5]], 64)
		at = &orb.Point{x, y}
		msg = trimSpace(msg[:m[0]] + msg[m[1]:])
	}
	// simplefeatures places a non-simple ring at its first vertex; a
	// reviewer needs the crossing itself.
	if p := selfIntersection(g); p != nil {
		at = p
	}
	return "invalid geometry: " + msg, at
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == ':') {
		s = s[:len(s)-1]
	}
	return s
}

// selfIntersection finds the first place where a ring crosses, touches or
// doubles back on itself. Quadratic, so only for rings of modest size.
func selfIntersection(g orb.Geometry) *orb.Point {
	var rings []orb.Ring
	switch g := g.(type) {
	case orb.Polygon:
		rings = g
	case orb.MultiPolygon:
		for _, p := range g {
			rings = append(rings, p...)
		}
	}
	for _, r := range rings {
		n := len(r) - 1
		if n < 3 || n > 4000 {
			continue
		}
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				adjacent := j == i+1 || (i == 0 && j == n-1)
				if p, ok := segmentsMeet(r[i], r[i+1], r[j], r[j+1], adjacent); ok {
					return &p
				}
			}
		}
	}
	return nil
}

// segmentsMeet reports a meeting of segments ab and cd other than the
// shared vertex of adjacent segments.
func segmentsMeet(a, b, c, d orb.Point, adjacent bool) (orb.Point, bool) {
	d1 := cross(c, d, a)
	d2 := cross(c, d, b)
	d3 := cross(a, b, c)
	d4 := cross(a, b, d)
	if adjacent {
		// Adjacent segments share b == c; they only meet elsewhere when
		// collinear and pointing back (a spike).
		if d1 == 0 && d4 == 0 {
			if (a[0]-b[0])*(d[0]-c[0])+(a[1]-b[1])*(d[1]-c[1]) > 0 {
				return b, true
			}
		}
		return orb.Point{}, false
	}
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		t := d1 / (d1 - d2)
		return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}, true
	}
	switch {
	case d1 == 0 && onSegment(c, d, a):
		return a, true
	case d2 == 0 && onSegment(c, d, b):
		return b, true
	case d3 == 0 && onSegment(a, b, c):
		return c, true
	case d4 == 0 && onSegment(a, b, d):
		return d, true
	}
	return orb.Point{}, false
}

func cross(o, a, b orb.Point) float64 {
	return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0])
}

func onSegment(a, b, p orb.Point) bool {
	return math.Min(a[0], b[0]) <= p[0] && p[0] <= math.Max(a[0], b[0]) &&
		math.Min(a[1], b[1]) <= p[1] && p[1] <= math.Max(a[1], b[1])
}

// Shape is a geometry prepared for repeated overlay.
type Shape struct {
	Geometry orb.Geometry
	Bound    orb.Bound
	sf       geom.Geometry
}

// NewShape prepares g (lon/lat) for overlay.
func NewShape(g orb.Geometry) (*Shape, error) {
	sg, err := toSF(g)
	if err != nil {
		return nil, err
	}
	return &Shape{Geometry: g, Bound: g.Bound(), sf: sg}, nil
}

// Intersection returns the polygonal part of a ∩ b (nil when the
// intersection has no area). Points and lines where the two only touch are
// dropped: a conflict patch is an area.
func Intersection(a, b *Shape) (orb.Geometry, error) {
	if !a.Bound.Intersects(b.Bound) {
		return nil, nil
	}
	out, err := geom.Intersection(a.sf, b.sf)
	if err != nil {
		return nil, fmt.Errorf("geo: overlay failed: %w", err)
	}
	return polygonal(fromSF(out)), nil
}

// polygonal keeps the polygons of g, as a Polygon or MultiPolygon.
func polygonal(g orb.Geometry) orb.Geometry {
	var polys orb.MultiPolygon
	var walk func(orb.Geometry)
	walk = func(g orb.Geometry) {
		switch g := g.(type) {
		case orb.Polygon:
			if len(g) > 0 {
				polys = append(polys, g)
			}
		case orb.MultiPolygon:
			for _, p := range g {
				if len(p) > 0 {
					polys = append(polys, p)
				}
			}
		case orb.Collection:
			for _, c := range g {
				walk(c)
			}
		}
	}
	walk(g)
	switch len(polys) {
	case 0:
		return nil
	case 1:
		return polys[0]
	}
	return polys
}

// CorridorQuadSegments is the number of segments per quarter circle of a
// corridor's round caps and joins (PostGIS ST_Buffer's default).
const CorridorQuadSegments = 8

// Corridor buffers a line (lon/lat) by widthM/2 metres on each side with
// round caps and joins. The buffer is made in a transverse Mercator centred
// on the line, where metres are true to well under 0.1% within a few tens
// of kilometres, and brought back to lon/lat.
func Corridor(line orb.Geometry, widthM float64) (orb.Geometry, error) {
	if widthM <= 0 {
		return nil, fmt.Errorf("geo: corridor width %v m is not positive", widthM)
	}
	b := line.Bound()
	tm := TransverseMercator(b.Center()[0])
	projected := transform(line, tm.FromLonLat)
	sg, err := toSF(projected)
	if err != nil {
		return nil, err
	}
	buf, err := geom.Buffer(sg, widthM/2, geom.BufferQuadSegments(CorridorQuadSegments), geom.BufferEndCapRound())
	if err != nil {
		return nil, fmt.Errorf("geo: buffering corridor: %w", err)
	}
	return polygonal(transform(fromSF(buf), tm.ToLonLat)), nil
}

// transform applies fn to every coordinate of g, returning a new geometry.
func transform(g orb.Geometry, fn func(x, y float64) (float64, float64)) orb.Geometry {
	pt := func(p orb.Point) orb.Point {
		x, y := fn(p[0], p[1])
		return orb.Point{x, y}
	}
	pts := func(in []orb.Point) []orb.Point {
		out := make([]orb.Point, len(in))
		for i, p := range in {
			out[i] = pt(p)
		}
		return out
	}
	poly := func(in orb.Polygon) orb.Polygon {
		out := make(orb.Polygon, len(in))
		for i, r := range in {
			out[i] = orb.Ring(pts(r))
		}
		return out
	}
	switch g := g.(type) {
	case orb.Point:
		return pt(g)
	case orb.MultiPoint:
		return orb.MultiPoint(pts(g))
	case orb.LineString:
		return orb.LineString(pts(g))
	case orb.MultiLineString:
		out := make(orb.MultiLineString, len(g))
		for i, l := range g {
			out[i] = orb.LineString(pts(l))
		}
		return out
	case orb.Polygon:
		return poly(g)
	case orb.MultiPolygon:
		out := make(orb.MultiPolygon, len(g))
		for i, p := range g {
			out[i] = poly(p)
		}
		return out
	case orb.Collection:
		out := make(orb.Collection, len(g))
		for i, c := range g {
			out[i] = transform(c, fn)
		}
		return out
	}
	return g
}

// Index is a static R-tree over bounding boxes, for finding candidate pairs
// without comparing every feature with every other.
type Index struct {
	tree *rtree.RTree
}

// NewIndex bulk-loads an index of bounds; Search reports positions in
// bounds.
func NewIndex(bounds []orb.Bound) *Index {
	items := make([]rtree.BulkItem, len(bounds))
	for i, b := range bounds {
		items[i] = rtree.BulkItem{Box: rtree.Box{MinX: b.Min[0], MinY: b.Min[1], MaxX: b.Max[0], MaxY: b.Max[1]}, RecordID: i}
	}
	return &Index{tree: rtree.BulkLoad(items)}
}

// Search calls fn for each indexed bound that intersects b.
func (ix *Index) Search(b orb.Bound, fn func(i int)) {
	_ = ix.tree.RangeSearch(rtree.Box{MinX: b.Min[0], MinY: b.Min[1], MaxX: b.Max[0], MaxY: b.Max[1]}, func(id int) error {
		fn(id)
		return nil
	})
}

// Difference returns the polygonal part of a outside every shape of
// others (nil when nothing is left).
func Difference(a *Shape, others []*Shape) (orb.Geometry, error) {
	var near []geom.Geometry
	for _, o := range others {
		if o.Bound.Intersects(a.Bound) {
			near = append(near, o.sf)
		}
	}
	if len(near) == 0 {
		return polygonal(a.Geometry), nil
	}
	cover, err := geom.UnionMany(near)
	if err != nil {
		return nil, fmt.Errorf("geo: union failed: %w", err)
	}
	out, err := geom.Difference(a.sf, cover)
	if err != nil {
		return nil, fmt.Errorf("geo: difference failed: %w", err)
	}
	return polygonal(fromSF(out)), nil
}

// LengthInside returns the geodesic length of the parts of line that lie
// inside zone, in metres.
func LengthInside(line orb.Geometry, zone *Shape) (float64, error) {
	if !line.Bound().Intersects(zone.Bound) {
		return 0, nil
	}
	sl, err := toSF(line)
	if err != nil {
		return 0, err
	}
	out, err := geom.Intersection(sl, zone.sf)
	if err != nil {
		return 0, fmt.Errorf("geo: overlay failed: %w", err)
	}
	return LengthM(fromSF(out)), nil
}
