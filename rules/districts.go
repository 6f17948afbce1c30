package rules

import (
	"cmp"
	"context"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/planning"
)

// District is a boundary feature statistics are kept for.
type District struct {
	Layer  string
	ID     string
	Name   string
	Code   string
	AreaM2 float64
}

// Label names the district in reports: "芙蓉区 (430102)".
func (d District) Label() string {
	switch {
	case d.Name != "" && d.Code != "":
		return d.Name + " (" + d.Code + ")"
	case d.Name != "":
		return d.Name
	case d.Code != "":
		return d.Code
	}
	return d.Layer + "#" + d.ID
}

// DistrictStat is one row of the statistics by district × rule.
type DistrictStat struct {
	District int // index into Result.Districts
	Rule     string
	Count    int     // findings whose geometry touches the district
	AreaM2   float64 // the findings' patches split by district
	// Share is AreaM2 over the district's area.
	Share float64
}

type districtShape struct {
	District
	shape *geo.Shape
}

// AssignDistricts fills res.Districts and res.Statistics and each
// finding's District (所在区县), when the plan set has a boundary layer. The
// districts are the boundary features no other boundary feature names as
// parent, so a layer of cities and their districts is not counted twice.
// A finding counts in every district its geometry intersects; its area is
// split by district; its District is the one holding most of its area
// (for points and lines, the first it meets).
func AssignDistricts(ctx context.Context, set *planning.PlanSet, res *Result) error {
	districts := leafDistricts(set)
	if len(districts) == 0 {
		return nil
	}
	bounds := make([]orb.Bound, len(districts))
	for i, d := range districts {
		res.Districts = append(res.Districts, d.District)
		bounds[i] = d.shape.Bound
	}
	ix := geo.NewIndex(bounds)
	type cell struct{ district, rule int }
	ruleIndex := map[string]int{}
	for _, r := range res.Rules {
		ruleIndex[r.Name] = len(ruleIndex)
	}
	count := map[cell]int{}
	area := map[cell]float64{}
	for fi := range res.Findings {
		if fi%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		f := &res.Findings[fi]
		g := f.Geometry
		if f.Rule == RuleGeometryInvalid || g == nil {
			// An invalid geometry cannot be overlaid; place it by its
			// "at or near" point.
			if f.At == nil {
				continue
			}
			g = *f.At
		}
		if geo.PointCount(g) == 0 {
			continue // an empty geometry has no place in any district
		}
		ri, ok := ruleIndex[f.Rule]
		if !ok {
			ri = len(ruleIndex)
			ruleIndex[f.Rule] = ri
			res.Rules = append(res.Rules, RuleInfo{Name: f.Rule, Severity: f.Severity})
		}
		shape, err := geo.NewShape(g)
		if err != nil {
			return err
		}
		var hits []int
		ix.Search(shape.Bound, func(i int) { hits = append(hits, i) })
		slices.Sort(hits)
		best, bestArea := -1, -1.0
		for _, di := range hits {
			d := districts[di]
			if !geo.Intersects(shape, d.shape) {
				continue
			}
			a := 0.0
			if polygonal(g) {
				patch, err := geo.Intersection(shape, d.shape)
				if err != nil {
					return err
				}
				if patch != nil {
					a = geo.AreaM2(patch)
				}
			}
			c := cell{di, ri}
			count[c]++
			area[c] += a
			if a > bestArea {
				best, bestArea = di, a
			}
		}
		if best >= 0 {
			f.District = districts[best].Label()
		}
	}
	for di := range districts {
		for _, r := range res.Rules {
			c := cell{di, ruleIndex[r.Name]}
			if count[c] == 0 {
				continue
			}
			st := DistrictStat{District: di, Rule: r.Name, Count: count[c], AreaM2: area[c]}
			if da := districts[di].AreaM2; da > 0 {
				st.Share = area[c] / da
			}
			res.Statistics = append(res.Statistics, st)
		}
	}
	return nil
}

func polygonal(g orb.Geometry) bool {
	switch g := g.(type) {
	case orb.Polygon, orb.MultiPolygon:
		return true
	case orb.Collection:
		for _, c := range g {
			if polygonal(c) {
				return true
			}
		}
	}
	return false
}

func leafDistricts(set *planning.PlanSet) []districtShape {
	parents := map[string]bool{}
	for _, l := range set.LayersAt(planning.Boundary) {
		for _, f := range l.Features {
			if f.Parent != "" {
				parents[f.Parent] = true
			}
		}
	}
	var out []districtShape
	for _, l := range set.LayersAt(planning.Boundary) {
		for i := range l.Features {
			f := &l.Features[i]
			if f.Invalid || !f.IsPolygon() || (f.Code != "" && parents[f.Code]) || (f.Code == "" && f.Name != "" && parents[f.Name]) {
				continue
			}
			s, err := geo.NewShape(f.Geometry)
			if err != nil {
				continue
			}
			out = append(out, districtShape{District: District{Layer: l.Name, ID: f.ID, Name: f.Name, Code: f.Code, AreaM2: geo.AreaM2(f.Geometry)}, shape: s})
		}
	}
	// Districts are listed by code, not file order, so statistics do not
	// depend on how the boundary layer happens to be sorted.
	slices.SortStableFunc(out, func(a, b districtShape) int {
		return cmp.Or(cmp.Compare(a.Code, b.Code), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Layer, b.Layer), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// Hectares converts m² to hectares (公顷), rounded to 1e-4 ha (1 m²).
func Hectares(m2 float64) float64 { return math.Round(m2/1e4*1e4) / 1e4 }
