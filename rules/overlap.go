package rules

import (
	"context"
	"fmt"
	"math"

	"github.com/plancheck/plancheck/planning"
)

// LayerOverlap reports polygons of one layer that overlap each other.
var LayerOverlap = &Rule{
	Name:     "layer-overlap",
	Severity: Error,
	Doc: Doc{
		Title:   `polygons of one layer overlap`,
		TitleZH: `同一图层多边形相互重叠`,
		Detects: `Finds every pair of polygon features of the same layer (any level but infrastructure) whose intersection is at least the minimum area.`,
		Why:     `A plan layer is a partition: each piece of land has one use or one zone. Overlapping parcels give the same land two uses and double-count areas in every statistic.`,
		Fix:     `Correct the topology in the source GIS (QGIS topology checker, "must not overlap"), keeping the parcel the plan intends.`,
		TextZH:  `同一图层内多边形相互重叠（一地多用），须修正拓扑，保证每块用地只有一种用途。`,
	},
	Run: func(ctx context.Context, pass *Pass) error {
		all := Selector{Geometry: RolePolygon}
		for _, l := range pass.Set.Layers {
			if l.Level == planning.Infrastructure {
				continue
			}
			sel := selection{layer: l}
			for i := range l.Features {
				if all.matchFeature(&l.Features[i]) {
					sel.features = append(sel.features, i)
				}
			}
			if len(sel.features) < 2 {
				continue
			}
			pairs, err := pass.overlaps(ctx, []selection{sel}, []selection{sel}, pass.Options.MinAreaM2)
			if err != nil {
				return err
			}
			for _, o := range pairs {
				// Order the pair by id, not file position, so the finding
				// is the same whatever order the features come in.
				a, b := o.a, o.b
				if fa, fb := a.feature(), b.feature(); fb.ID < fa.ID || (fb.ID == fa.ID && b.index < a.index) {
					a, b = b, a
				}
				fa, fb := a.feature(), b.feature()
				pass.Report(Finding{
					Layers:    []string{l.Name, l.Name},
					Features:  []string{fa.ID, fb.ID},
					Classes:   []string{fa.RawClass, fb.RawClass},
					AreaM2:    o.areaM2,
					Geometry:  o.patch,
					Message:   fmt.Sprintf("%s#%s and %s#%s of the same layer overlap by %s m²", l.Name, fa.ID, l.Name, fb.ID, fmtArea(o.areaM2)),
					MessageZH: fmt.Sprintf("同一图层 %s 内要素 %s 与 %s 重叠，面积 %s 平方米", l.Name, fa.ID, fb.ID, fmtArea(o.areaM2)),
					Location:  Location{File: l.File, Line: fa.Line},
				})
			}
		}
		return nil
	},
}

func fmtArea(a float64) string {
	return fmt.Sprintf("%.2f", math.Round(a*100)/100)
}
