package geo

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/paulmach/orb"
	"github.com/peterstace/simplefeatures/geom"
	"github.com/peterstace/simplefeatures/rtree"
)

// The overlay engine is simplefeatures (a pure-Go port of GEOS OverlayNG),
// kept behind this file so callers only see orb types.

// Shape is a geometry prepared for repeated overlay. It is safe for
// concurrent use. The overlay engine's copy of the geometry and the
// boundary index are built on first use: most pairs are decided by their
// boxes or by quickRelate, and a city's million parcels cannot afford
// three copies of every coordinate.
type Shape struct {
	Geometry orb.Geometry
	Bound    orb.Bound
	sfOnce   sync.Once
	sfGeom   geom.Geometry
	prep     preparedBoundary
	areaOnce sync.Once
	area     float64
}

// ErrEmptyGeometry marks a geometry with no positions (nil, or an empty
// array of coordinates): it has no place to overlay.
var ErrEmptyGeometry = errors.New("geo: empty geometry")

// NewShape prepares g (lon/lat) for overlay. An empty geometry is an
// error (ErrEmptyGeometry).
func NewShape(g orb.Geometry) (*Shape, error) {
	if err := overlayable(g); err != nil {
		return nil, err
	}
	if PointCount(g) == 0 {
		return nil, ErrEmptyGeometry
	}
	return &Shape{Geometry: g, Bound: BoundOf(g)}, nil
}

// sf is the overlay engine's copy of the geometry. NewShape has checked
// that the conversion cannot fail.
func (s *Shape) sf() geom.Geometry {
	s.sfOnce.Do(func() { s.sfGeom, _ = toSF(s.Geometry) })
	return s.sfGeom
}

// AreaM2 is the geodesic area of the shape, computed once.
func (s *Shape) AreaM2() float64 {
	s.areaOnce.Do(func() { s.area = AreaM2(s.Geometry) })
	return s.area
}

// Intersection returns the polygonal part of a ∩ b (nil when the
// intersection has no area). Points and lines where the two only touch are
// dropped: a conflict patch is an area.
func Intersection(a, b *Shape) (orb.Geometry, error) {
	patch, _, err := Overlap(a, b)
	return patch, err
}

// Overlap returns the polygonal part of a ∩ b and its geodesic area in m².
// Pairs whose interiors are disjoint, or where one lies within the other,
// are decided by exact predicates without running the overlay.
func Overlap(a, b *Shape) (orb.Geometry, float64, error) {
	if !a.Bound.Intersects(b.Bound) {
		return nil, 0, nil
	}
	switch quickRelate(a, b) {
	case relDisjoint:
		return nil, 0, nil
	case relAInB:
		return polygonal(a.Geometry), a.AreaM2(), nil
	case relBInA:
		return polygonal(b.Geometry), b.AreaM2(), nil
	}
	out, err := geom.Intersection(a.sf(), b.sf())
	if err != nil {
		return nil, 0, fmt.Errorf("geo: overlay failed: %w", err)
	}
	patch := polygonal(fromSF(out))
	if patch == nil {
		return nil, 0, nil
	}
	return patch, AreaM2(patch), nil
}

// overlayIntersection is Intersection by the overlay engine alone, for
// tests that compare the shortcut with it.
func overlayIntersection(a, b *Shape) (orb.Geometry, error) {
	out, err := geom.Intersection(a.sf(), b.sf())
	if err != nil {
		return nil, err
	}
	return polygonal(fromSF(out)), nil
}

// eachPart calls fn for every part of g that is not a collection or a
// multi-geometry: points, line strings and polygons.
func eachPart(g orb.Geometry, fn func(orb.Geometry)) {
	switch g := g.(type) {
	case orb.MultiPoint:
		for _, p := range g {
			fn(p)
		}
	case orb.MultiLineString:
		for _, l := range g {
			fn(l)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			fn(p)
		}
	case orb.Collection:
		for _, c := range g {
			eachPart(c, fn)
		}
	case nil:
	default:
		fn(g)
	}
}

// polygonal keeps the polygons of g, as a Polygon or MultiPolygon.
func polygonal(g orb.Geometry) orb.Geometry {
	var polys orb.MultiPolygon
	eachPart(g, func(p orb.Geometry) {
		if p, ok := p.(orb.Polygon); ok && len(p) > 0 {
			polys = append(polys, p)
		}
	})
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
	if !(widthM > 0) || math.IsInf(widthM, 0) {
		return nil, fmt.Errorf("geo: corridor width %v m is not a positive finite number", widthM)
	}
	if PointCount(line) == 0 {
		return nil, fmt.Errorf("geo: corridor of an empty line: %w", ErrEmptyGeometry)
	}
	b := line.Bound()
	tm := TransverseMercator(b.Center()[0])
	projected := Transform(line, tm.FromLonLat)
	sg, err := toSF(projected)
	if err != nil {
		return nil, err
	}
	buf, err := geom.Buffer(sg, widthM/2, geom.BufferQuadSegments(CorridorQuadSegments), geom.BufferEndCapRound())
	if err != nil {
		return nil, fmt.Errorf("geo: buffering corridor: %w", err)
	}
	out := polygonal(Transform(fromSF(buf), tm.ToLonLat))
	if out == nil {
		return nil, fmt.Errorf("geo: corridor of the line is empty: %w", ErrEmptyGeometry)
	}
	return out, nil
}

// Transform applies fn to every coordinate of g, returning a new geometry
// (a projection, a shift, rounding).
func Transform(g orb.Geometry, fn func(x, y float64) (float64, float64)) orb.Geometry {
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
	case orb.Ring:
		return orb.Ring(pts(g))
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
			out[i] = Transform(c, fn)
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
			near = append(near, o.sf())
		}
	}
	if len(near) == 0 {
		return polygonal(a.Geometry), nil
	}
	cover, err := geom.UnionMany(near)
	if err != nil {
		return nil, fmt.Errorf("geo: union failed: %w", err)
	}
	out, err := geom.Difference(a.sf(), cover)
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
	out, err := geom.Intersection(sl, zone.sf())
	if err != nil {
		return 0, fmt.Errorf("geo: overlay failed: %w", err)
	}
	return LengthM(fromSF(out)), nil
}

// Intersects reports whether a and b share any point.
func Intersects(a, b *Shape) bool {
	if !a.Bound.Intersects(b.Bound) {
		return false
	}
	return geom.Intersects(a.sf(), b.sf())
}
