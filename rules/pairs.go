package rules

import (
	"context"
	"sort"
	"sync"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/planning"
)

// featureRef names one feature of a layer.
type featureRef struct {
	layer *planning.Layer
	index int
}

func (r featureRef) feature() *planning.Feature { return &r.layer.Features[r.index] }

// overlap is a pair of features whose footprints intersect with an area.
type overlap struct {
	a, b   featureRef
	patch  orb.Geometry
	areaM2 float64
}

// footprint is the area a feature occupies: its polygon, or its corridor
// when it is a line.
func (p *Pass) footprint(r featureRef) (*geo.Shape, error) {
	if r.feature().IsLine() {
		return p.corridor(r.layer, r.index)
	}
	return p.shape(r.layer, r.index)
}

type candidate struct {
	a, b featureRef
}

// overlaps finds every pair (a from as, b from bs) whose footprints
// intersect by at least the minimum area. A pair is visited once even when
// a feature is selected on both sides; a feature is never paired with
// itself. Results are in a deterministic order (a's layer and index, then
// b's), whatever the number of workers.
func (p *Pass) overlaps(ctx context.Context, as, bs []selection, minArea float64) ([]overlap, error) {
	var cands []candidate
	for _, bsel := range bs {
		bounds := make([]orb.Bound, len(bsel.features))
		for k, i := range bsel.features {
			s, err := p.footprint(featureRef{bsel.layer, i})
			if err != nil {
				return nil, err
			}
			bounds[k] = s.Bound
		}
		ix := geo.NewIndex(bounds)
		for _, asel := range as {
			for _, i := range asel.features {
				a := featureRef{asel.layer, i}
				s, err := p.footprint(a)
				if err != nil {
					return nil, err
				}
				var hits []int
				ix.Search(s.Bound, func(k int) { hits = append(hits, bsel.features[k]) })
				sort.Ints(hits)
				for _, j := range hits {
					b := featureRef{bsel.layer, j}
					if a == b {
						continue
					}
					cands = append(cands, candidate{a, b})
				}
			}
		}
	}
	cands = dedupePairs(cands)
	return p.intersectAll(ctx, cands, minArea)
}

// dedupePairs drops a pair seen in the other order (when both sides select
// from the same layers) keeping the first.
func dedupePairs(cands []candidate) []candidate {
	seen := make(map[candidate]bool, len(cands))
	out := cands[:0]
	for _, c := range cands {
		if seen[candidate{c.b, c.a}] || seen[c] {
			continue
		}
		seen[c] = true
		out = append(out, c)
	}
	return out
}

// intersectAll overlays candidate pairs on all workers and keeps those
// with at least minArea, in candidate order.
func (p *Pass) intersectAll(ctx context.Context, cands []candidate, minArea float64) ([]overlap, error) {
	results := make([]overlap, len(cands))
	keep := make([]bool, len(cands))
	errs := make([]error, len(cands))
	var wg sync.WaitGroup
	next := make(chan int, 256)
	workers := p.Options.Workers
	if workers < 1 {
		workers = 1
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c := cands[i]
				sa, err := p.footprint(c.a)
				if err != nil {
					errs[i] = err
					continue
				}
				sb, err := p.footprint(c.b)
				if err != nil {
					errs[i] = err
					continue
				}
				patch, area, err := geo.Overlap(sa, sb)
				if err != nil {
					errs[i] = err
					continue
				}
				if patch == nil || area < minArea {
					continue
				}
				results[i] = overlap{a: c.a, b: c.b, patch: patch, areaM2: area}
				keep[i] = true
			}
		}()
	}
	for i := range cands {
		if i%256 == 0 && ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []overlap
	for i := range cands {
		if errs[i] != nil {
			return nil, errs[i]
		}
		if keep[i] {
			out = append(out, results[i])
		}
	}
	return out, nil
}
