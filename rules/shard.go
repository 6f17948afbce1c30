package rules

import (
	"encoding/gob"
	"fmt"
	"io"
	"sync"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/planning"
)

// Sharded runs: a tile of the plan set computes the rules whose findings
// are pairs of features (or single features) computed from those features
// alone, and keeps the ones it owns; the rest need whole layers and run
// where the whole set is known (plancheck merge).

// shardedGoRules are the Go rules whose findings are feature pairs.
var shardedGoRules = map[string]bool{"layer-overlap": true, "timing-phase": true}

// Sharded reports whether a tile can compute the rule: layer-overlap,
// timing-phase and the rules-file rules of relation overlaps or within.
// The input checks, timing-horizon, the cross-city rules (their joins
// reach along whole lines), coverage-gap and outside rules (a difference
// with every feature a parcel meets) need whole layers.
func Sharded(r *Rule) bool {
	if r.Relation != "" {
		return r.Relation == RelationOverlaps || r.Relation == RelationWithin
	}
	return shardedGoRules[r.Name]
}

// Split divides rules into the ones tiles compute and the ones that need
// the whole set, keeping their order.
func Split(rs []*Rule) (sharded, whole []*Rule) {
	for _, r := range rs {
		if Sharded(r) {
			sharded = append(sharded, r)
		} else {
			whole = append(whole, r)
		}
	}
	return sharded, whole
}

// FeatureBounds finds the boxes of findings' features by layer and id.
// Built once per run: a tile of a city-scale set holds a quarter of a
// million features and thousands of findings.
type FeatureBounds struct {
	byID map[string]map[string]orb.Geometry // layer → id → geometry (the first feature with the id)
}

// NewFeatureBounds indexes the features of set.
func NewFeatureBounds(set *planning.PlanSet) *FeatureBounds {
	fb := &FeatureBounds{byID: make(map[string]map[string]orb.Geometry, len(set.Layers))}
	for _, l := range set.Layers {
		ids := make(map[string]orb.Geometry, len(l.Features))
		for _, f := range l.Features {
			if _, dup := ids[f.ID]; !dup && f.Geometry != nil {
				ids[f.ID] = f.Geometry
			}
		}
		fb.byID[l.Name] = ids
	}
	return fb
}

// Of returns the boxes of a finding's features; false when one is
// missing (a finding of no features, or of an id the set does not hold).
func (fb *FeatureBounds) Of(f Finding) ([]orb.Bound, bool) {
	if len(f.Features) == 0 || len(f.Features) != len(f.Layers) {
		return nil, false
	}
	out := make([]orb.Bound, len(f.Features))
	for i, id := range f.Features {
		g, ok := fb.byID[f.Layers[i]][id]
		if !ok {
			return nil, false
		}
		out[i] = geo.BoundOf(g)
	}
	return out, true
}

// Part is what one tile's check hands to merge.
type Part struct {
	Tile      int
	Tiles     int
	Source    string   // the original manifest
	Inputs    []string // "layer sha256 features" of every original layer
	MinAreaM2 float64
	Rules     []string // the sharded rules it ran
	Findings  []Finding
}

var registerGeometries = sync.OnceFunc(func() {
	// Finding.Geometry is an interface: gob needs the concrete types.
	for _, g := range []orb.Geometry{orb.Point{}, orb.MultiPoint{}, orb.LineString{}, orb.MultiLineString{},
		orb.Ring{}, orb.Polygon{}, orb.MultiPolygon{}, orb.Collection{}, orb.Bound{}} {
		gob.Register(g)
	}
})

// WritePart writes a part in Go's gob encoding: float64 values exactly, so
// merged reports equal a whole run's to the last bit.
func WritePart(w io.Writer, p *Part) error {
	registerGeometries()
	if err := gob.NewEncoder(w).Encode(p); err != nil {
		return fmt.Errorf("rules: writing part: %w", err)
	}
	return nil
}

// ReadPart reads a part written by WritePart.
func ReadPart(r io.Reader) (*Part, error) {
	registerGeometries()
	var p Part
	if err := gob.NewDecoder(r).Decode(&p); err != nil {
		return nil, fmt.Errorf("rules: not a plancheck part: %w", err)
	}
	return &p, nil
}
