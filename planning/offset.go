package planning

import (
	"cmp"
	"math"
	"slices"
	"sort"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
)

// Detecting a layer traced on a GCJ-02 or BD-09 basemap.
//
// Plans of one territory share much of their linework (roads, rivers,
// parcel boundaries drawn on the same survey), so a vertex of one layer
// usually has a counterpart vertex in another layer at the same place. A
// layer traced over a 高德/腾讯 (GCJ-02) or Baidu (BD-09) basemap has all its
// counterparts displaced by the shift, a few hundred metres that vary
// slowly from place to place (BD-09's by up to 100 m across a city). The
// estimate is a vote: every pair (a sampled vertex v of the layer, a
// vertex u of another layer within offsetSearchM) votes, for each shift,
// for how far its displacement u − v lies from the displacement that shift
// causes at v, binned on a 20 m grid. The densest 3×3 block of bins is the
// layer's systematic offset from that shift; when enough sampled vertices
// agree on it and it is within offsetToleranceM of zero, the layer is
// suspect, and its offset (the mean u − v of the block) is reported.

const (
	// offsetSearchM bounds the displacement looked for: BD-09 moves
	// points by up to about 1.5 km in eastern China.
	offsetSearchM = 2000.0
	// offsetBinM is the vote grid.
	offsetBinM = 20.0
	// offsetToleranceM is how close the estimate must come to the shift
	// the issue asks for (30 m).
	offsetToleranceM = 30.0
	// offsetSamples is how many vertices of a layer vote.
	offsetSamples = 400
	// offsetReferenceVertices bounds the vertices of the other layers
	// that vote, so a city-scale set costs a bounded time; beyond it they
	// are taken at a regular stride.
	offsetReferenceVertices = 1_000_000
	// offsetMinSupport: the winning block needs the votes of at least this
	// share of the sampled vertices.
	offsetMinSupport = 0.2
)

// shiftSuspects returns a crs-suspect warning for each layer whose
// systematic offset against the other layers of the set matches the
// GCJ-02 or BD-09 shift at its place. A layer declared GCJ-02 or BD-09 has
// been converted already and is only a reference.
func shiftSuspects(layers []*Layer, manifest string) []Issue {
	shifts := []geo.Shift{geo.ShiftGCJ02, geo.ShiftBD09}
	type sample struct {
		layer int
		p     orb.Point
		// expected is, per shift, the displacement from the sample to its
		// counterpart if the layer was traced in that shift.
		expected [2][2]float64
	}
	var samples []sample
	for li, l := range layers {
		if l.CRS.Shift != geo.NoShift {
			continue
		}
		for _, p := range sampleVertices(l, offsetSamples) {
			samples = append(samples, sample{layer: li, p: p})
		}
	}
	if len(samples) == 0 || len(layers) < 2 {
		return nil
	}
	// Samples in a grid of offsetSearchM cells (metres from a local
	// origin), so each reference vertex meets only the samples near it.
	origin := samples[0].p
	mx, my := metresPerDegree(origin[1])
	for i := range samples {
		s := &samples[i]
		for h, shift := range shifts {
			// A layer traced in the shifted system sits at shift(p); its
			// counterparts in the others lie back at p.
			sl, sa := shift.FromWGS84(s.p[0], s.p[1])
			s.expected[h] = [2]float64{(s.p[0] - sl) * mx, (s.p[1] - sa) * my}
		}
	}
	cellOf := func(p orb.Point) [2]int {
		return [2]int{int(math.Floor((p[0] - origin[0]) * mx / offsetSearchM)), int(math.Floor((p[1] - origin[1]) * my / offsetSearchM))}
	}
	near := nearSamples(len(samples), func(i int) [2]int { return cellOf(samples[i].p) })
	total := 0
	for _, l := range layers {
		total += vertexCount(l)
	}
	stride := max(1, (total+offsetReferenceVertices-1)/offsetReferenceVertices)
	// votes[layer][shift]: residual bin → count, sum of u − v east, north.
	votes := make([][2]map[[2]int][3]float64, len(layers))
	for li, l := range layers {
		eachVertex(l, func(u orb.Point) {
			if !pickVertex(u, stride) {
				return
			}
			for _, si := range near(cellOf(u)) {
				s := samples[si]
				if s.layer == li {
					continue
				}
				ex, ey := (u[0]-s.p[0])*mx, (u[1]-s.p[1])*my
				if ex*ex+ey*ey > offsetSearchM*offsetSearchM {
					continue
				}
				for h := range shifts {
					if votes[s.layer][h] == nil {
						votes[s.layer][h] = map[[2]int][3]float64{}
					}
					rx, ry := ex-s.expected[h][0], ey-s.expected[h][1]
					b := [2]int{int(math.Floor(rx / offsetBinM)), int(math.Floor(ry / offsetBinM))}
					v := votes[s.layer][h][b]
					votes[s.layer][h][b] = [3]float64{v[0] + 1, v[1] + ex, v[2] + ey}
				}
			}
		})
	}
	var out []Issue
	for li, l := range layers {
		nSamples := 0
		var lons, lats []float64
		for _, s := range samples {
			if s.layer == li {
				nSamples++
				lons, lats = append(lons, s.p[0]), append(lats, s.p[1])
			}
		}
		for h, shift := range shifts {
			if votes[li][h] == nil {
				continue
			}
			block, support, ok := peakBlock(votes[li][h])
			if !ok || support < max(10, offsetMinSupport*float64(nSamples)/float64(stride)) {
				continue
			}
			var n, sx, sy float64
			for _, b := range block {
				v := votes[li][h][b]
				n, sx, sy = n+v[0], sx+v[1], sy+v[2]
			}
			// The block's residuals: how far the displacements lie from
			// the shift's, on average.
			var rx, ry float64
			for _, b := range block {
				v := votes[li][h][b]
				rx += v[0] * (float64(b[0]) + 0.5) * offsetBinM
				ry += v[0] * (float64(b[1]) + 0.5) * offsetBinM
			}
			if math.Hypot(rx/n, ry/n) > offsetToleranceM {
				continue
			}
			est := orb.Point{sx / n, sy / n}
			at := orb.Point{median(lons), median(lats)}
			out = append(out, Issue{
				Check: CheckCRS, Layer: l.Name, File: l.File, Feature: -1, At: &at,
				Text: geo.Textf("layer %s is offset from the other layers by %.0f m (%.0f m east, %.0f m north), as a layer traced on a %s basemap would be; if it was, declare crs: %s for it in %s",
					"图层 %s 与其他图层相距 %.0f 米（东 %.0f 米，北 %.0f 米），与在 %s 底图上描绘的图层相符；如是，请在 %[7]s 中为它声明 crs: %[6]s",
					l.Name, math.Hypot(est[0], est[1]), -est[0], -est[1], shift, shift, manifest),
			})
			break
		}
	}
	return out
}

// nearSamples returns, for a cell, the samples in it and its eight
// neighbours. Every vertex of the set asks once, so the answer is a slice
// of a dense grid over the samples' cells (a map lookup per vertex cost
// most of the detection's time at city scale); a set so spread out that
// the grid would pass 16M cells keeps a map.
func nearSamples(n int, cellOf func(i int) [2]int) func(c [2]int) []int {
	if n == 0 {
		return func([2]int) []int { return nil }
	}
	lo, hi := cellOf(0), cellOf(0)
	for i := 1; i < n; i++ {
		c := cellOf(i)
		lo = [2]int{min(lo[0], c[0]), min(lo[1], c[1])}
		hi = [2]int{max(hi[0], c[0]), max(hi[1], c[1])}
	}
	lo, hi = [2]int{lo[0] - 1, lo[1] - 1}, [2]int{hi[0] + 1, hi[1] + 1}
	w, h := hi[0]-lo[0]+1, hi[1]-lo[1]+1
	if w*h > 1<<24 {
		m := map[[2]int][]int{}
		for i := range n {
			c := cellOf(i)
			for dx := -1; dx <= 1; dx++ {
				for dy := -1; dy <= 1; dy++ {
					k := [2]int{c[0] + dx, c[1] + dy}
					m[k] = append(m[k], i)
				}
			}
		}
		return func(c [2]int) []int { return m[c] }
	}
	cells := make([][]int, w*h)
	for i := range n {
		c := cellOf(i)
		for dx := -1; dx <= 1; dx++ {
			for dy := -1; dy <= 1; dy++ {
				k := (c[0]+dx-lo[0])*h + (c[1] + dy - lo[1])
				cells[k] = append(cells[k], i)
			}
		}
	}
	return func(c [2]int) []int {
		if c[0] < lo[0] || c[0] > hi[0] || c[1] < lo[1] || c[1] > hi[1] {
			return nil
		}
		return cells[(c[0]-lo[0])*h+(c[1]-lo[1])]
	}
}

// peakBlock is the densest 3×3 block of vote bins (its bins that hold
// votes) and the votes in it.
func peakBlock(bins map[[2]int][3]float64) ([][2]int, float64, bool) {
	keys := make([][2]int, 0, len(bins))
	for k := range bins {
		keys = append(keys, k)
	}
	// Sorted, so ties between equally dense blocks resolve the same way
	// on every run.
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	best, bestN := [2]int{}, 0.0
	for _, k := range keys {
		n := 0.0
		for dx := -1; dx <= 1; dx++ {
			for dy := -1; dy <= 1; dy++ {
				n += bins[[2]int{k[0] + dx, k[1] + dy}][0]
			}
		}
		if n > bestN {
			best, bestN = k, n
		}
	}
	if bestN == 0 {
		return nil, 0, false
	}
	var block [][2]int
	for dx := -1; dx <= 1; dx++ {
		for dy := -1; dy <= 1; dy++ {
			b := [2]int{best[0] + dx, best[1] + dy}
			if bins[b][0] > 0 {
				block = append(block, b)
			}
		}
	}
	return block, bestN, true
}

// metresPerDegree is the local scale of lon and lat (spherical, good to
// 0.5 %: the tolerance is 30 m on shifts of hundreds of metres).
func metresPerDegree(lat float64) (float64, float64) {
	const m = 6371008.8 * math.Pi / 180
	return m * math.Cos(lat*math.Pi/180), m
}

// sampleVertices takes up to n vertices of a layer's valid features, at a
// regular stride, in file order.
func sampleVertices(l *Layer, n int) []orb.Point {
	total := vertexCount(l)
	if total == 0 {
		return nil
	}
	stride := max(1, total/n)
	var out []orb.Point
	eachVertex(l, func(p orb.Point) {
		if pickVertex(p, stride) {
			out = append(out, p)
		}
	})
	// In coordinate order: what follows (the grid's origin, the vote
	// sums, the reported place) then depends on the vertices, not on the
	// order of the features that hold them.
	slices.SortFunc(out, func(a, b orb.Point) int {
		if c := cmp.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return cmp.Compare(a[1], b[1])
	})
	return out
}

// pickVertex keeps about one vertex in stride, chosen by its coordinates
// rather than its position in the file, so a layer whose features are
// reordered gives the same sample and the same warning.
func pickVertex(p orb.Point, stride int) bool {
	if stride <= 1 {
		return true
	}
	h := math.Float64bits(p[0])*0x9e3779b97f4a7c15 ^ math.Float64bits(p[1])*0xc2b2ae3d27d4eb4f
	h ^= h >> 31
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 29
	return h%uint64(stride) == 0
}

func vertexCount(l *Layer) int {
	n := 0
	for _, f := range l.Features {
		if f.Geometry != nil && !f.Invalid {
			n += geo.PointCount(f.Geometry)
		}
	}
	return n
}

// eachVertex calls fn with every vertex of the layer's valid features
// (closing ring vertices included).
func eachVertex(l *Layer, fn func(orb.Point)) {
	for _, f := range l.Features {
		if f.Geometry != nil && !f.Invalid {
			geo.EachPoint(f.Geometry, fn)
		}
	}
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}
