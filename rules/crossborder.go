package rules

import (
	"context"
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/planning"
)

// The tolerances of the cross-city rules, which a manifest may set under
// settings:.
var (
	BoundaryReach = Setting{Name: "boundary_reach_m", Default: 300, Min: 0, Max: 10000, Unit: "m",
		Doc: "how near the border with a neighbouring city a line's end must lie to be a border end"}
	JoinTolerance = Setting{Name: "join_tolerance_m", Default: 500, Min: 0, Max: 10000, Unit: "m",
		Doc: "how near a border end a line of the same class in the neighbouring city's plan must pass to join it"}
	StartYearGap = Setting{Name: "start_year_gap", Default: 5, Min: 0, Max: 100, Unit: "years", Integer: true,
		Doc: "by how many years the start years of two joined lines may differ"}
)

// crossingLengthM is how far a line must run inside the neighbouring city
// to count as crossing the border within its own layer; shorter overshoots
// are digitising noise at the city edge.
const crossingLengthM = 1.0

// borderEnd is an end point of a city's infrastructure line near its
// border with another city that has infrastructure layers too.
type borderEnd struct {
	x     featureRef
	point orb.Point
	y     *planning.Feature // the neighbouring boundary feature
	// match is the nearest line of the same class in Y's layers within the
	// join tolerance (ties by id); nil when none.
	match *featureRef
}

// cityOf is a boundary feature and its prepared geometry.
type cityOf struct {
	feature *planning.Feature
	shape   *geo.Shape
	key     string
}

// crossBorderEnds finds every border end of every infrastructure layer,
// once per run, for the three cross-city rules that require it.
var crossBorderEnds = NewProvider(&Rule{
	Name:     "cross-border-ends",
	Severity: Info,
	Settings: []Setting{BoundaryReach, JoinTolerance},
	Doc: Doc{
		Title:   "infrastructure line ends at city borders and their joins",
		TitleZH: "市界处的基础设施线路端点及其对接",
		Detects: "Finds, for the cross-city rules, every end point of a city's infrastructure line within the boundary reach of its border with another city that has infrastructure layers, and the nearest line of the same class in that city's layers within the join tolerance. It reports nothing itself.",
		Fix:     "Nothing to fix: the rules that require it report.",
		TextZH:  "为跨市规则查找市界附近的基础设施线路端点及邻市同类线路的对接，本身不报告冲突。",
	},
}, func(ctx context.Context, pass *Pass) ([]borderEnd, error) { return pass.computeCrossBorder(ctx) })

func cityKey(f *planning.Feature) string {
	if f.Code != "" {
		return f.Code
	}
	return f.Name
}

func (p *Pass) computeCrossBorder(ctx context.Context) ([]borderEnd, error) {
	reach := p.Setting(BoundaryReach)
	join := p.Setting(JoinTolerance)

	// A district whose parent city is also in the set is not a city of
	// its own: the city's infrastructure layers stand for it.
	present := map[string]bool{}
	for _, bl := range p.Set.LayersAt(planning.Boundary) {
		for i := range bl.Features {
			present[cityKey(&bl.Features[i])] = true
		}
	}
	var cities []cityOf
	for _, bl := range p.Set.LayersAt(planning.Boundary) {
		for i := range bl.Features {
			f := &bl.Features[i]
			if f.Invalid || !f.IsPolygon() || cityKey(f) == "" || (f.Parent != "" && present[f.Parent]) {
				continue
			}
			s, err := p.shape(bl, i)
			if err != nil {
				return nil, err
			}
			cities = append(cities, cityOf{feature: f, shape: s, key: cityKey(f)})
		}
	}
	if len(cities) < 2 {
		return nil, nil
	}
	infra := p.Set.LayersAt(planning.Infrastructure)
	layerCity := map[*planning.Layer]string{}
	cityLayers := map[string][]*planning.Layer{}
	for _, l := range infra {
		c := l.City
		if c == "" {
			c = p.dominantCity(l, cities)
		}
		if c == "" {
			continue
		}
		layerCity[l] = c
		cityLayers[c] = append(cityLayers[c], l)
	}

	var ends []borderEnd
	borders := map[[2]string]orb.Geometry{}
	for _, l := range infra {
		xKey, ok := layerCity[l]
		if !ok {
			continue
		}
		var x *cityOf
		for i := range cities {
			if cities[i].key == xKey {
				x = &cities[i]
				break
			}
		}
		if x == nil {
			continue
		}
		for yi := range cities {
			y := &cities[yi]
			if y.key == xKey || len(cityLayers[y.key]) == 0 {
				continue
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			pair := [2]string{xKey, y.key}
			border, seen := borders[pair]
			if !seen {
				var err error
				border, err = geo.BorderLines(x.shape, y.shape, reach)
				if err != nil {
					return nil, err
				}
				borders[pair] = border
			}
			if border == nil {
				continue
			}
			candidates := p.lineCandidates(cityLayers[y.key])
			for i := range l.Features {
				f := &l.Features[i]
				if f.Invalid || !f.IsLine() {
					continue
				}
				var near []orb.Point
				for _, pt := range geo.Endpoints(f.Geometry) {
					if geo.PointDistanceM(pt, border) <= reach {
						near = append(near, pt)
					}
				}
				if len(near) == 0 {
					continue
				}
				inside, err := geo.LengthInside(f.Geometry, y.shape)
				if err != nil {
					return nil, err
				}
				if inside > crossingLengthM {
					continue
				}
				for _, pt := range near {
					end := borderEnd{x: featureRef{l, i}, point: pt, y: y.feature}
					end.match = nearestLine(pt, f, candidates, join)
					ends = append(ends, end)
				}
			}
		}
	}
	return ends, nil
}

// dominantCity is the boundary feature holding most of a layer's line
// length, for infrastructure layers whose manifest entry names no city.
func (p *Pass) dominantCity(l *planning.Layer, cities []cityOf) string {
	best, bestLen := "", 0.0
	for _, c := range cities {
		total := 0.0
		for i := range l.Features {
			f := &l.Features[i]
			if f.Invalid || !f.IsLine() {
				continue
			}
			if n, err := geo.LengthInside(f.Geometry, c.shape); err == nil {
				total += n
			}
		}
		if total > bestLen || (total == bestLen && total > 0 && c.key < best) {
			best, bestLen = c.key, total
		}
	}
	return best
}

type lineCandidate struct {
	ref   featureRef
	bound orb.Bound
}

// lineCandidates lists the classified lines of some layers.
func (p *Pass) lineCandidates(layers []*planning.Layer) []lineCandidate {
	var out []lineCandidate
	for _, l := range layers {
		for i := range l.Features {
			f := &l.Features[i]
			if f.Invalid || !f.IsLine() || !f.HasClass {
				continue
			}
			out = append(out, lineCandidate{ref: featureRef{l, i}, bound: f.Geometry.Bound()})
		}
	}
	return out
}

// nearestLine picks the nearest candidate of the same class as x within
// tol metres of pt; ties go to the smaller id, then the earlier layer.
func nearestLine(pt orb.Point, x *planning.Feature, cands []lineCandidate, tol float64) *featureRef {
	if !x.HasClass {
		return nil
	}
	// A generous degree box around pt prunes candidates before measuring.
	dLat := tol / 110000 * 1.5
	dLon := dLat / math.Max(math.Cos(pt[1]*math.Pi/180), 0.01)
	box := orb.Bound{Min: orb.Point{pt[0] - dLon, pt[1] - dLat}, Max: orb.Point{pt[0] + dLon, pt[1] + dLat}}
	type hit struct {
		ref featureRef
		d   float64
	}
	var hits []hit
	for _, c := range cands {
		f := c.ref.feature()
		if f.Class.Code != x.Class.Code || !c.bound.Intersects(box) {
			continue
		}
		if d := geo.PointDistanceM(pt, f.Geometry); d <= tol {
			hits = append(hits, hit{c.ref, d})
		}
	}
	if len(hits) == 0 {
		return nil
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].d != hits[j].d {
			return hits[i].d < hits[j].d
		}
		a, b := hits[i].ref.feature().ID, hits[j].ref.feature().ID
		if a != b {
			return a < b
		}
		return hits[i].ref.layer.Name < hits[j].ref.layer.Name
	})
	r := hits[0].ref
	return &r
}

// matchedPairs returns the matched border ends, one per unordered pair of
// lines (the first found, in layer and feature order).
func matchedPairs(ends []borderEnd) []borderEnd {
	type key struct{ a, b featureRef }
	seen := map[key]bool{}
	var out []borderEnd
	for _, e := range ends {
		if e.match == nil {
			continue
		}
		k := key{e.x, *e.match}
		if seen[k] || seen[key{*e.match, e.x}] {
			continue
		}
		seen[k] = true
		out = append(out, e)
	}
	return out
}
