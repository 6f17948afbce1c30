package geo

import (
	"context"
	"runtime"
	"sort"
	"sync"

	"github.com/paulmach/orb"
)

// RawFeature is a feature as a format's reader decoded it, before
// Assemble places and checks it: its Feature fields (Index, Line, ID,
// Properties or Attributes) are final, its Geometry is in the layer's
// source coordinates (the CRS may be known only once the whole file is
// read), and the problems the reader found are recorded on it.
type RawFeature struct {
	Feature
	hasGeom bool // the geometry is present (not null)
	typed   bool // Attributes applied
	// issues is nil for the common feature without problems: a million
	// features keep one pointer each instead of two slices.
	issues *featureIssues
}

// featureIssues are a feature's problems found while decoding.
type featureIssues struct {
	problems []Problem
	// geom are the geometry decoder's findings; finish adds its own.
	geom []geomProblem
}

// geomProblem carries a geometry problem with a hint about
// projected-looking coordinates.
type geomProblem struct {
	Problem
	looksProjected bool
	looksSwapped   bool // an out-of-range position that reads as lat, lon
}

// AddProblem records a problem of the feature found outside its geometry
// (p.Kind other than ProblemGeometry), or one that leaves it without a
// geometry to read (ProblemGeometry, which marks it Invalid). Problems
// are reported in the order they are added.
func (rf *RawFeature) AddProblem(p Problem) {
	if rf.issues == nil {
		rf.issues = &featureIssues{}
	}
	rf.issues.problems = append(rf.issues.problems, p)
	if p.Kind == ProblemGeometry {
		rf.Invalid = true
	}
}

// SetGeometry records that the feature has a geometry: g, in source
// coordinates, or the geometry problems (Kind ProblemGeometry) that kept
// the reader from decoding it; the first of them is the feature's
// geometry problem. A feature without SetGeometry has a null geometry.
func (rf *RawFeature) SetGeometry(g orb.Geometry, problems []Problem) {
	rf.Geometry, rf.hasGeom = g, true
	if len(problems) == 0 {
		return
	}
	ps := make([]geomProblem, len(problems))
	for i, p := range problems {
		ps[i].Problem = p
	}
	rf.setGeomProblems(ps)
}

// SetAttributes records what ReadOptions.Attributes made of the
// feature's properties. Assemble calls Attributes, with no properties,
// for each feature without it.
func (rf *RawFeature) SetAttributes(a any) { rf.Attributes, rf.typed = a, true }

// setGeomProblems records the geometry decoder's findings.
func (rf *RawFeature) setGeomProblems(ps []geomProblem) {
	if len(ps) == 0 {
		return
	}
	if rf.issues == nil {
		rf.issues = &featureIssues{}
	}
	rf.issues.geom = ps
}

func (rf *RawFeature) geomProblems() []geomProblem {
	if rf.issues == nil {
		return nil
	}
	return rf.issues.geom
}

// Assemble finishes a layer from its features as a reader decoded them,
// in feature order in the batches they were decoded in (so that no
// slice of them is ever grown and copied). layer holds the CRS of the
// source coordinates and the layer's own problems so far. Each geometry
// is placed in lon/lat and checked: coordinate ranges, rings, the
// geometry types opts allows and OGC validity; nothing is repaired. Then
// each feature is handed on (opts.Consume) or kept in layer.Features,
// and the problems are put in feature order, the layer's first.
func Assemble(ctx context.Context, layer *Layer, features [][]RawFeature, opts ReadOptions) (*Layer, error) {
	if opts.MaxVertices <= 0 {
		opts.MaxVertices = DefaultMaxVertices
	}
	b := &builder{ctx: ctx, opts: opts}
	return b.assemble(features, layer)
}

// builder holds what the steps shared by every format read.
type builder struct {
	ctx  context.Context
	opts ReadOptions
}

// assemble places and checks the decoded features of a layer whose CRS is
// set, and hands them on (ReadOptions.Consume) or keeps them, with their
// problems in feature order.
func (d *builder) assemble(raws [][]RawFeature, layer *Layer) (*Layer, error) {
	crs := layer.CRS
	// Placing and validating geometry is independent per feature: spread
	// it over all cores, then gather the problems in file order.
	OnAllCores(d.ctx, runtime.GOMAXPROCS(0), len(raws), func(_, k int) {
		for j := range raws[k] {
			if rf := &raws[k][j]; rf.hasGeom {
				var probs []geomProblem
				rf.Geometry, probs = d.finish(rf, crs)
				rf.setGeomProblems(probs)
			}
		}
	})
	if err := d.ctx.Err(); err != nil {
		return nil, err
	}

	projectedLooking, firstProjectedLine := 0, 0
	swappedLooking, firstSwappedLine := 0, 0
	n := 0
	for _, part := range raws {
		n += len(part)
	}
	if d.opts.Consume == nil {
		layer.Features = make([]Feature, n)
	}
	i := 0
	for k, part := range raws {
		raws[k] = nil // let the batch go once its features are handed on
		for j := range part {
			rf := &part[j]
			if rf.issues != nil {
				layer.Problems = append(layer.Problems, rf.issues.problems...)
			}
			switch {
			case rf.hasGeom:
				g, probs := rf.Geometry, rf.geomProblems()
				if len(probs) > 0 {
					rf.Invalid = true
					// One geometry problem per feature: the first is the one a
					// reviewer fixes first; the others usually follow from it.
					layer.Problems = append(layer.Problems, probs[0].Problem)
					if probs[0].looksProjected {
						projectedLooking++
						if projectedLooking == 1 {
							firstProjectedLine = rf.Line
						}
					}
					if probs[0].looksSwapped {
						swappedLooking++
						if swappedLooking == 1 {
							firstSwappedLine = rf.Line
						}
					}
				} else if w := windingProblem(g); w.Message != "" {
					layer.Problems = append(layer.Problems, Problem{Kind: ProblemWinding, Feature: rf.Index, Line: rf.Line, Text: w, At: firstPoint(g)})
				}
			case !rf.Invalid:
				layer.Problems = append(layer.Problems, Problem{Kind: ProblemNullGeometry, Feature: rf.Index, Line: rf.Line, Text: Text{
					Message: "feature has a null geometry; it takes part in no rule", MessageZH: "要素的几何为 null，不参与任何规则"}})
			}
			d.typeAttributes(rf) // a lone Feature or geometry, not yet typed
			if d.opts.Consume != nil {
				d.opts.Consume(n, i, &rf.Feature)
			} else {
				layer.Features[i] = rf.Feature
			}
			i++
		}
	}
	if swappedLooking > 0 && crs.Geographic {
		// Hundreds of out-of-range errors are one mistake: say it once.
		layer.Problems = append(layer.Problems, Problem{Kind: ProblemCRS, Feature: -1, Line: firstSwappedLine,
			Text: Textf("%d feature(s) have out-of-range coordinates that read as latitude, longitude (e.g. 28.2 112.9 for Changsha): GeoJSON positions are [longitude, latitude] (RFC 7946 §3.1.1); swap the axes in the export",
				"%d 个要素的坐标超出范围，看来是按纬度、经度排列的（如长沙写成 28.2 112.9）：GeoJSON 的位置是 [经度, 纬度]（RFC 7946 §3.1.1）；请在导出时交换坐标轴", swappedLooking)})
	}
	if projectedLooking > 0 && crs.Geographic {
		layer.Problems = append(layer.Problems, Problem{Kind: ProblemCRS, Feature: -1, Line: firstProjectedLine,
			Text: Textf("layer is declared geographic (%s) but %d feature(s) have coordinates that look projected (metres); declare its crs, e.g. EPSG:4547 (CGCS2000 3-degree GK CM 114°E) or EPSG:4526 (with zone prefix)",
				"图层声明为地理坐标系（%s），但 %d 个要素的坐标看来是投影坐标（米）；请声明其 crs，如 EPSG:4547（CGCS2000 3 度带高斯-克吕格，中央经线 114°E）或 EPSG:4526（带号前缀）", crs, projectedLooking)})
	}
	sort.SliceStable(layer.Problems, func(i, j int) bool { return layer.Problems[i].Feature < layer.Problems[j].Feature })
	return layer, nil
}

func (d *builder) placer(index, line int) placer {
	return placer{feature: index, line: line, allowed: d.opts.GeometryTypes, what: d.opts.LayerKind}
}

// OnAllCores calls fn(w, i) for every i in [0, n) on up to workers
// goroutines and returns when all are done. Worker w (0 ≤ w < workers)
// takes i = w, w+workers, …, so per-worker state can be indexed by w; the
// caller fixes workers (usually GOMAXPROCS), as GOMAXPROCS itself may
// change while a layer is read. A worker stops if ctx is done (checked
// every 1024 items); the caller checks ctx. Assemble places features with it; a
// reader decodes them with it, as geo/geojson does.
func OnAllCores(ctx context.Context, workers, n int, fn func(w, i int)) {
	workers = max(1, min(workers, n))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k, i := 0, w; i < n; k, i = k+1, i+workers {
				if k%1024 == 0 && ctx.Err() != nil {
					return
				}
				fn(w, i)
			}
		}()
	}
	wg.Wait()
}

// typeAttributes applies ReadOptions.Attributes, once, to a feature its
// reader did not type: one whose properties are null, absent or not an
// object, which reads as no properties.
func (d *builder) typeAttributes(rf *RawFeature) {
	if d.opts.Attributes == nil || rf.typed {
		return
	}
	rf.Attributes, rf.typed = d.opts.Attributes(Properties{}), true
}
