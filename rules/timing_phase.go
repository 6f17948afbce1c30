package rules

import (
	"context"
	"fmt"

	"github.com/plancheck/plancheck/planning"
)

// TimingPhase reports infrastructure built outside the horizon of the
// plans whose land it occupies.
var TimingPhase = &Rule{
	Name:     "timing-phase",
	Severity: Warning,
	Doc: Doc{
		Title:   `infrastructure phase outside the land plan's horizon`,
		TitleZH: `基础设施建设时序超出规划期限`,
		Detects: `Finds every pair of an infrastructure feature with both start and end years and a city-master or land-use feature whose footprint (the line's corridor, or the facility polygon) overlaps it by at least the minimum area, where the start year is before the base year or the end year after the target year of that feature's layer horizon. The area is the overlap.`,
		Why:     `Construction scheduled outside the horizon of the plan that grants the land has no plan behind it for part of its life.`,
		Fix:     `Re-phase the project, or extend the land plan's horizon in its next revision.`,
		TextZH:  `基础设施建设时序（起止年份）超出所占用城市总体规划或土地利用规划的规划期限，须调整建设时序或规划期限。`,
	},
	Run: func(ctx context.Context, pass *Pass) error {
		for _, infra := range pass.Set.LayersAt(planning.Infrastructure) {
			for _, other := range pass.Set.Layers {
				if other.Level != planning.CityMaster && other.Level != planning.LandUse {
					continue
				}
				if !other.HasHorizon || (other.Horizon.Base == 0 && other.Horizon.Target == 0) {
					continue
				}
				h := other.Horizon
				outside := func(f *planning.Feature) bool {
					return (h.Base > 0 && f.Start < h.Base) || (h.Target > 0 && f.End > h.Target)
				}
				a := selection{layer: infra}
				for i := range infra.Features {
					f := &infra.Features[i]
					if f.Invalid || !f.HasStart || !f.HasEnd || !outside(f) {
						continue
					}
					if f.IsPolygon() || (f.IsLine() && f.WidthM > 0) {
						a.features = append(a.features, i)
					}
				}
				b := selection{layer: other}
				any := Selector{Geometry: RolePolygon}
				for i := range other.Features {
					if any.matchFeature(&other.Features[i]) {
						b.features = append(b.features, i)
					}
				}
				if len(a.features) == 0 || len(b.features) == 0 {
					continue
				}
				pairs, err := pass.overlaps(ctx, []selection{a}, []selection{b}, pass.Options.MinAreaM2)
				if err != nil {
					return err
				}
				for _, o := range pairs {
					fa, fb := o.a.feature(), o.b.feature()
					f := Finding{
						Layers:    []string{infra.Name, other.Name},
						Features:  []string{fa.ID, fb.ID},
						Classes:   []string{fa.RawClass, fb.RawClass},
						AreaM2:    o.areaM2,
						Geometry:  o.patch,
						Message:   fmt.Sprintf("%s#%s is built %d–%d but %s (horizon %d–%d) holds %s#%s over %s m²", infra.Name, fa.ID, fa.Start, fa.End, other.Name, h.Base, h.Target, other.Name, fb.ID, fmtArea(o.areaM2)),
						MessageZH: fmt.Sprintf("基础设施 %s#%s 建设时序 %d–%d 年超出 %s 规划期限 %d–%d 年（占用要素 %s，面积 %s 平方米）", infra.Name, fa.ID, fa.Start, fa.End, other.Name, h.Base, h.Target, fb.ID, fmtArea(o.areaM2)),
						Location:  Location{File: infra.File, Line: fa.Line},
					}
					if fa.IsLine() {
						f.LengthM = pass.lengthInside(o.a, o.b)
					}
					pass.Report(f)
				}
			}
		}
		return nil
	},
}
