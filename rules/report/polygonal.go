package report

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/rules"
)

// markerRadiusM is the radius of the round marker conflicts.geojson gives
// a point finding, and the half-width of the band along a line finding.
const markerRadiusM = 5.0

// maxMarkerSpanDeg is the largest extent of a point or line finding that
// gets a marker; a larger one gets its envelope.
const maxMarkerSpanDeg = 2.0

// Geometry kinds of conflicts.geojson (the geometry_kind property).
const (
	kindPatch    = "patch"
	kindEnvelope = "envelope"
	kindMarker   = "marker"
	kindExtent   = "extent"
	kindNone     = "none"
)

// extents are the bounding boxes of the map layers, computed on first use
// (only layer-level findings need them).
type extents struct {
	r       *rules.Result
	fs      []rules.Finding
	byLayer map[string]orb.Bound
	all     *orb.Bound
}

func newExtents(r *rules.Result, fs []rules.Finding) *extents {
	return &extents{r: r, fs: fs}
}

// of is the bounding box of the named layers; of every map layer when none
// of them is on the map; of every finding when there is no map. ok is
// false when there is nothing to take a box of.
func (e *extents) of(layers []string) (orb.Bound, bool) {
	if e.byLayer == nil {
		e.byLayer = map[string]orb.Bound{}
		var all bbox
		for _, ml := range e.r.Map {
			var bb bbox
			for _, g := range ml.Features {
				eachPoint(g, bb.add)
			}
			if !bb.empty() {
				b := orb.Bound{Min: bb.min, Max: bb.max}
				if old, ok := e.byLayer[ml.Name]; ok {
					b = b.Union(old)
				}
				e.byLayer[ml.Name] = b
				all.add(bb.min)
				all.add(bb.max)
			}
		}
		if all.empty() {
			for _, f := range e.fs {
				eachPoint(f.Geometry, all.add)
				if f.At != nil {
					all.add(*f.At)
				}
			}
		}
		if !all.empty() {
			e.all = &orb.Bound{Min: all.min, Max: all.max}
		}
	}
	var out orb.Bound
	found := false
	for _, l := range layers {
		if b, ok := e.byLayer[l]; ok {
			if found {
				out = out.Union(b)
			} else {
				out, found = b, true
			}
		}
	}
	if !found && e.all != nil {
		out, found = *e.all, true
	}
	return out, found
}

// geometryKind is the geometry_kind conflicts.geojson gives a finding (see
// GeoJSON); report.html counts findings by it.
func geometryKind(f rules.Finding) string {
	g := f.Geometry
	if len(f.Features) == 0 && f.Review != nil && f.Review.State == rules.StateAbsent {
		// A resolved layer-level finding: its geometry is the extent the
		// baseline's conflicts.geojson gave it, not a patch to draw.
		return kindExtent
	}
	if vertices(g) == 0 {
		if f.At != nil && finite(f.At[0]) && finite(f.At[1]) {
			return kindMarker
		}
		return kindExtent
	}
	if mp, ok := asMultiPolygon(g); ok {
		// A geometry problem (At set) may be an invalid polygon: only a
		// valid one is shown as it is.
		if wellFormed(mp) && (f.At == nil || validPolygon(mp)) {
			return kindPatch
		}
		return kindEnvelope
	}
	var b bbox
	eachPoint(g, b.add)
	if !wellFormedLines(g) || b.max[0]-b.min[0] > maxMarkerSpanDeg || b.max[1]-b.min[1] > maxMarkerSpanDeg {
		// Beyond a few hundred kilometres the buffer's projection is no
		// longer true; such a line is an input error anyway.
		return kindEnvelope
	}
	return kindMarker
}

// polygonalGeometry is the MultiPolygon conflicts.geojson shows for a
// finding, and its kind (see GeoJSON). It is nil only for kindNone.
func polygonalGeometry(f rules.Finding, ext *extents) (orb.Geometry, string) {
	g := f.Geometry
	switch geometryKind(f) {
	case kindExtent:
		b, ok := ext.of(f.Layers)
		if !ok {
			return nil, kindNone
		}
		return boxOf(b), kindExtent
	case kindPatch:
		mp, _ := asMultiPolygon(g)
		return oriented(mp), kindPatch
	case kindEnvelope:
		return envelopeOr(f, g, ext)
	}
	if vertices(g) == 0 {
		return marker(*f.At), kindMarker
	}
	// Points, lines and collections holding them.
	var out orb.MultiPolygon
	var other orb.Collection
	var collect func(orb.Geometry)
	collect = func(g orb.Geometry) {
		switch g := g.(type) {
		case orb.Polygon, orb.MultiPolygon, orb.Ring, orb.Bound:
			mp, _ := asMultiPolygon(g)
			out = append(out, mp...)
		case orb.Collection:
			for _, m := range g {
				collect(m)
			}
		default:
			if vertices(g) > 0 {
				other = append(other, g)
			}
		}
	}
	collect(g)
	for _, m := range other {
		c, err := geo.Corridor(m, 2*markerRadiusM)
		if err != nil {
			return envelopeOr(f, g, ext)
		}
		mp, ok := asMultiPolygon(c)
		if !ok {
			return envelopeOr(f, g, ext)
		}
		out = append(out, mp...)
	}
	if !wellFormed(out) {
		return envelopeOr(f, g, ext)
	}
	return oriented(out), kindMarker
}

// asMultiPolygon returns g as a MultiPolygon when it is polygonal.
func asMultiPolygon(g orb.Geometry) (orb.MultiPolygon, bool) {
	switch g := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{g}, true
	case orb.MultiPolygon:
		return g, true
	case orb.Ring:
		return orb.MultiPolygon{{g}}, true
	case orb.Bound:
		return orb.MultiPolygon{g.ToPolygon()}, true
	}
	return nil, false
}

// wellFormed: every ring closed, of at least four finite positions, and at
// least one polygon.
func wellFormed(mp orb.MultiPolygon) bool {
	if len(mp) == 0 {
		return false
	}
	for _, p := range mp {
		if len(p) == 0 {
			return false
		}
		for _, r := range p {
			if len(r) < 4 || r[0] != r[len(r)-1] {
				return false
			}
			for _, pt := range r {
				if !finite(pt[0]) || !finite(pt[1]) {
					return false
				}
			}
		}
	}
	return true
}

// wellFormedLines: every position finite.
func wellFormedLines(g orb.Geometry) bool {
	ok := true
	eachPoint(g, func(p orb.Point) {
		if !finite(p[0]) || !finite(p[1]) {
			ok = false
		}
	})
	return ok
}

func validPolygon(mp orb.MultiPolygon) bool {
	msg, _ := geo.Validity(mp)
	return msg == ""
}

// oriented is mp with outer rings counter-clockwise and holes clockwise
// (RFC 7946); rings that need reversing are copied, mp is not changed.
func oriented(mp orb.MultiPolygon) orb.MultiPolygon {
	out := make(orb.MultiPolygon, len(mp))
	for i, p := range mp {
		q := make(orb.Polygon, len(p))
		for j, r := range p {
			ccw := signedArea(r) > 0
			if ccw != (j == 0) {
				rev := make(orb.Ring, len(r))
				for k, pt := range r {
					rev[len(r)-1-k] = pt
				}
				r = rev
			}
			q[j] = r
		}
		out[i] = q
	}
	return out
}

// signedArea is twice the planar signed area of a ring in its own
// coordinates: positive when counter-clockwise. Coordinates are taken
// relative to the first point, which keeps the sum exact enough for
// small rings far from (0, 0).
func signedArea(r orb.Ring) float64 {
	if len(r) < 3 {
		return 0
	}
	o := r[0]
	s := 0.0
	for i := 1; i+1 < len(r); i++ {
		ax, ay := r[i][0]-o[0], r[i][1]-o[1]
		bx, by := r[i+1][0]-o[0], r[i+1][1]-o[1]
		s += ax*by - bx*ay
	}
	return s
}

// envelopeOr is the envelope of g, or the finding's layers' extent when
// g has no finite position.
func envelopeOr(f rules.Finding, g orb.Geometry, ext *extents) (orb.Geometry, string) {
	if e := envelope(g); e != nil {
		return e, kindEnvelope
	}
	if b, ok := ext.of(f.Layers); ok {
		return boxOf(b), kindExtent
	}
	return nil, kindNone
}

// envelope is the bounding box of g's finite positions as a MultiPolygon,
// at least a marker's size across.
func envelope(g orb.Geometry) orb.MultiPolygon {
	var bb bbox
	eachPoint(g, bb.add)
	if bb.empty() {
		return nil
	}
	return boxOf(orb.Bound{Min: bb.min, Max: bb.max})
}

// boxOf is b as a counter-clockwise rectangle, widened to at least
// 2 × markerRadiusM in each direction.
func boxOf(b orb.Bound) orb.MultiPolygon {
	lat := (b.Min[1] + b.Max[1]) / 2
	dLat := markerRadiusM / (kmPerDegree * 1000)
	dLon := dLat / math.Max(math.Cos(lat*math.Pi/180), 0.01)
	if b.Max[0]-b.Min[0] < 2*dLon {
		c := (b.Min[0] + b.Max[0]) / 2
		b.Min[0], b.Max[0] = c-dLon, c+dLon
	}
	if b.Max[1]-b.Min[1] < 2*dLat {
		c := (b.Min[1] + b.Max[1]) / 2
		b.Min[1], b.Max[1] = c-dLat, c+dLat
	}
	return orb.MultiPolygon{{{
		{b.Min[0], b.Min[1]}, {b.Max[0], b.Min[1]}, {b.Max[0], b.Max[1]}, {b.Min[0], b.Max[1]}, {b.Min[0], b.Min[1]},
	}}}
}

// marker is a round buffer of markerRadiusM around p (a square when the
// buffer fails, which it does not for a finite point).
func marker(p orb.Point) orb.MultiPolygon {
	if c, err := geo.Corridor(p, 2*markerRadiusM); err == nil {
		if mp, ok := asMultiPolygon(c); ok && wellFormed(mp) {
			return oriented(mp)
		}
	}
	return boxOf(orb.Bound{Min: p, Max: p})
}
