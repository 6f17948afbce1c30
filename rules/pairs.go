package rules

import (
	"context"
	"fmt"
	"slices"
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
	s, err := p.shape(r.layer, r.index)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r, err)
	}
	return s, nil
}

// String names the feature as findings do: layer#id.
func (r featureRef) String() string { return r.layer.Name + "#" + r.feature().ID }

// footprintBound is the bounding box of a feature's footprint, without
// preparing a polygon's shape.
func (p *Pass) footprintBound(r featureRef) (orb.Bound, error) {
	f := r.feature()
	if f.IsLine() {
		s, err := p.corridor(r.layer, r.index)
		if err != nil {
			return orb.Bound{}, err
		}
		return s.Bound, nil
	}
	return geo.BoundOf(f.Geometry), nil
}

type candidate struct {
	a, b featureRef
}

// candidateChunk bounds the candidate pairs held at once: a million-parcel
// layer pair has millions, which are produced, overlaid and dropped a
// chunk at a time.
const candidateChunk = 1 << 16

// overlaps finds every pair (a from as, b from bs) whose footprints
// intersect by at least the minimum area. A pair is visited once even when
// a feature is selected on both sides; a feature is never paired with
// itself. Results are in a deterministic order (b's selection, a's
// selection, a's index, b's index), whatever the number of workers.
func (p *Pass) overlaps(ctx context.Context, as, bs []selection, minArea float64) ([]overlap, error) {
	dup := newReversePairs(as, bs)
	var out []overlap
	cands := make([]candidate, 0, candidateChunk)
	flush := func() error {
		found, err := p.intersectAll(ctx, cands, minArea)
		out = append(out, found...)
		cands = cands[:0]
		return err
	}
	var hits []int
	for bi, bsel := range bs {
		bounds := make([]orb.Bound, len(bsel.features))
		for k, i := range bsel.features {
			b, err := p.footprintBound(featureRef{bsel.layer, i})
			if err != nil {
				return nil, err
			}
			bounds[k] = b
		}
		ix := geo.NewIndex(bounds)
		for ai, asel := range as {
			for _, i := range asel.features {
				a := featureRef{asel.layer, i}
				bound, err := p.footprintBound(a)
				if err != nil {
					return nil, err
				}
				hits = hits[:0]
				ix.Search(bound, func(k int) { hits = append(hits, bsel.features[k]) })
				slices.Sort(hits)
				for _, j := range hits {
					b := featureRef{bsel.layer, j}
					if a == b || dup.seenBefore(a, b, ai, bi) {
						continue
					}
					cands = append(cands, candidate{a, b})
				}
				if len(cands) >= candidateChunk {
					if err := flush(); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// reversePairs knows which features each side selects, for the layers
// selected on both sides: there a pair also comes up in the other order,
// and only its first visit counts.
type reversePairs struct {
	aSel, bSel map[*planning.Layer]int    // layer -> position in as / bs
	onA, onB   map[*planning.Layer][]bool // selected features of shared layers
}

func newReversePairs(as, bs []selection) *reversePairs {
	r := &reversePairs{aSel: map[*planning.Layer]int{}, bSel: map[*planning.Layer]int{}, onA: map[*planning.Layer][]bool{}, onB: map[*planning.Layer][]bool{}}
	for i, s := range as {
		r.aSel[s.layer] = i
	}
	for i, s := range bs {
		r.bSel[s.layer] = i
	}
	mark := func(sels []selection, other map[*planning.Layer]int, into map[*planning.Layer][]bool) {
		for _, s := range sels {
			if _, shared := other[s.layer]; !shared {
				continue
			}
			on := make([]bool, len(s.layer.Features))
			for _, i := range s.features {
				on[i] = true
			}
			into[s.layer] = on
		}
	}
	mark(as, r.bSel, r.onA)
	mark(bs, r.aSel, r.onB)
	return r
}

// seenBefore reports whether the pair (a, b), met in selections as[ai] and
// bs[bi], was already met as (b, a): the loops run over bs, then as, then
// a's index, so the reverse came first when its position is smaller.
func (r *reversePairs) seenBefore(a, b featureRef, ai, bi int) bool {
	onA, onB := r.onA[b.layer], r.onB[a.layer]
	if onA == nil || onB == nil || !onA[b.index] || !onB[a.index] {
		return false
	}
	rbi, rai := r.bSel[a.layer], r.aSel[b.layer]
	switch {
	case rbi != bi:
		return rbi < bi
	case rai != ai:
		return rai < ai
	}
	return b.index < a.index
}

// pairBlock is the number of consecutive candidates a worker takes at
// once: a feature's candidates are adjacent, so its shape is prepared once
// per block rather than once per pair.
const pairBlock = 64

// intersectAll overlays candidate pairs on all workers and keeps those
// with at least minArea, in candidate order.
func (p *Pass) intersectAll(ctx context.Context, cands []candidate, minArea float64) ([]overlap, error) {
	workers := max(p.Options.Workers, 1)
	// Each worker keeps only what it found, by candidate number: a chunk
	// of a city's candidates is mostly neighbours that do not overlap, and
	// a slot per candidate would be garbage by the megabyte.
	found := make([][]pairOutcome, workers)
	var wg sync.WaitGroup
	next := make(chan int, 64)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			recent := map[featureRef]*geo.Shape{}
			footprint := func(r featureRef) (*geo.Shape, error) {
				if s := recent[r]; s != nil {
					return s, nil
				}
				s, err := p.footprint(r)
				if err != nil {
					return nil, err
				}
				if len(recent) >= 4096 {
					clear(recent)
				}
				recent[r] = s
				return s, nil
			}
			for start := range next {
				for i := start; i < min(start+pairBlock, len(cands)); i++ {
					c := cands[i]
					sa, err := footprint(c.a)
					if err != nil {
						found[w] = append(found[w], pairOutcome{index: i, err: err})
						continue
					}
					sb, err := footprint(c.b)
					if err != nil {
						found[w] = append(found[w], pairOutcome{index: i, err: err})
						continue
					}
					// The overlay's rings start where its first operand
					// leads it: two features of one layer go in by id, so
					// the patch is the same whatever order the file
					// lists them in.
					if c.a.layer == c.b.layer && c.b.feature().ID < c.a.feature().ID {
						sa, sb = sb, sa
					}
					patch, area, err := overlapShapes(sa, sb)
					if err != nil {
						found[w] = append(found[w], pairOutcome{index: i, failed: err})
						continue
					}
					if patch == nil || area < minArea {
						continue
					}
					found[w] = append(found[w], pairOutcome{index: i, overlap: overlap{a: c.a, b: c.b, patch: patch, areaM2: area}})
				}
			}
		}()
	}
	for start := 0; start < len(cands); start += pairBlock {
		if ctx.Err() != nil {
			break
		}
		next <- start
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	all := slices.Concat(found...)
	slices.SortFunc(all, func(x, y pairOutcome) int { return x.index - y.index })
	var out []overlap
	for _, o := range all {
		switch {
		case o.err != nil:
			return nil, o.err
		case o.failed != nil:
			p.reportUnchecked(cands[o.index], o.failed)
		default:
			out = append(out, o.overlap)
		}
	}
	return out, nil
}

// pairOutcome is what the overlay of candidate index gave, when it gave
// anything: an overlap, a footprint that could not be made (err, which
// stops the rule) or an overlay that failed (failed, a finding).
type pairOutcome struct {
	index   int
	overlap overlap
	err     error
	failed  error
}

// overlapShapes is geo.Overlap; tests replace it to make an overlay fail.
var overlapShapes = geo.Overlap

// reportUnchecked reports a pair the overlay engine could not overlay as
// a finding of the rule, naming both features: the rest of the check goes
// on, and the pair is not silently taken as free of conflict.
func (p *Pass) reportUnchecked(c candidate, err error) {
	fa, fb := c.a.feature(), c.b.feature()
	p.Report(Finding{
		Layers:    []string{c.a.layer.Name, c.b.layer.Name},
		Features:  []string{fa.ID, fb.ID},
		Classes:   []string{fa.RawClass, fb.RawClass},
		Message:   fmt.Sprintf("%s and %s could not be overlaid (%v); %s did not check this pair — check both geometries", c.a, c.b, err, p.Rule.Name),
		MessageZH: fmt.Sprintf("%s 与 %s 无法叠加分析（%v），本规则未检查该对要素，请核查两者几何", c.a, c.b, err),
		Location:  Location{File: c.a.layer.File, Line: fa.Line},
	})
}
