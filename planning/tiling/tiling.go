// Package tiling splits a plan set into tiles that independent machines
// check (a Kubernetes Indexed Job, a GitHub Actions matrix, a Slurm array,
// xargs -P), and decides which tile owns each finding so that the merged
// findings are exactly those of one run over the whole set.
//
// Tiles partition the plane: half-open boxes [min, max) whose outer edges
// reach to infinity, so every point lies in exactly one tile. A feature is
// copied into every tile its bounding box, widened by the halo, touches; a
// finding belongs to the tile holding its reference point:
//   - a pair of features: the minimum corner of the intersection of their
//     boxes, (max of the minimum x, max of the minimum y), a point inside
//     both boxes when they meet and within the halo of both when their
//     footprints meet without their boxes meeting (a corridor's reach);
//   - a single feature: the minimum corner of its box.
//
// Both features of a pair are in the tile of its reference point, so that
// tile computes the pair exactly as a whole run does.
package tiling

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// Box is a tile: the half-open box [Min, Max); outer edges are ±Inf.
type Box struct {
	Min, Max orb.Point
}

// Contains reports whether p lies in the half-open box.
func (b Box) Contains(p orb.Point) bool {
	return p[0] >= b.Min[0] && p[0] < b.Max[0] && p[1] >= b.Min[1] && p[1] < b.Max[1]
}

// Touches reports whether a feature box widened by halo degrees meets the
// tile (closed on both sides: a feature on an edge goes to both tiles).
func (b Box) Touches(f orb.Bound, halo float64) bool {
	return f.Max[0]+halo >= b.Min[0] && f.Min[0]-halo <= b.Max[0] && f.Max[1]+halo >= b.Min[1] && f.Min[1]-halo <= b.Max[1]
}

// Split partitions the plane into n tiles balanced by the number of
// centres in each: a k-d split that cuts the longer side of the current
// box at the centre whose rank gives each side its share of tiles. The
// result depends only on the centres and n, so every machine computes the
// same tiles.
func Split(centres []orb.Point, n int) ([]Box, error) {
	if n < 1 {
		return nil, fmt.Errorf("tiling: %d tiles (want at least 1)", n)
	}
	pts := slices.Clone(centres)
	all := Box{Min: orb.Point{math.Inf(-1), math.Inf(-1)}, Max: orb.Point{math.Inf(1), math.Inf(1)}}
	var out []Box
	var split func(box Box, pts []orb.Point, n int)
	split = func(box Box, pts []orb.Point, n int) {
		if n == 1 {
			out = append(out, box)
			return
		}
		left := n / 2
		// The axis with the larger spread of centres; x when none.
		axis := 0
		if len(pts) > 0 {
			ext := orb.MultiPoint(pts).Bound()
			if ext.Max[1]-ext.Min[1] > ext.Max[0]-ext.Min[0] {
				axis = 1
			}
		}
		slices.SortFunc(pts, func(a, b orb.Point) int {
			return cmp.Or(cmp.Compare(a[axis], b[axis]), cmp.Compare(a[1-axis], b[1-axis]))
		})
		var cut float64
		switch {
		case len(pts) == 0:
			cut = 0
			if !math.IsInf(box.Min[axis], 0) && !math.IsInf(box.Max[axis], 0) {
				cut = (box.Min[axis] + box.Max[axis]) / 2
			} else if !math.IsInf(box.Min[axis], 0) {
				cut = box.Min[axis] + 1
			} else if !math.IsInf(box.Max[axis], 0) {
				cut = box.Max[axis] - 1
			}
		default:
			k := len(pts) * left / n
			cut = pts[min(k, len(pts)-1)][axis]
		}
		lo, hi := box, box
		lo.Max[axis], hi.Min[axis] = cut, cut
		var lp, hp []orb.Point
		for _, p := range pts {
			if p[axis] < cut {
				lp = append(lp, p)
			} else {
				hp = append(hp, p)
			}
		}
		split(lo, lp, left)
		split(hi, hp, n-left)
	}
	split(all, pts, n)
	return out, nil
}

// Owner is the index of the tile holding p.
func Owner(tiles []Box, p orb.Point) int {
	for i, t := range tiles {
		if t.Contains(p) {
			return i
		}
	}
	return -1 // only for NaN coordinates, which readers reject
}

// PairPoint is the reference point of a pair of features with boxes a, b.
func PairPoint(a, b orb.Bound) orb.Point {
	return orb.Point{max(a.Min[0], b.Min[0]), max(a.Min[1], b.Min[1])}
}

// FeaturePoint is the reference point of a single-feature finding.
func FeaturePoint(a orb.Bound) orb.Point { return a.Min }

// HaloDegrees converts a distance in metres to degrees of longitude at
// the highest latitude of the set (degrees of latitude are shorter than
// that nowhere), so a halo in degrees covers the distance everywhere.
func HaloDegrees(metres, maxAbsLat float64) float64 {
	// 110,574 m is the shortest degree of latitude (at the equator);
	// degrees of longitude shrink with the cosine of the latitude.
	const metresPerDegree = 110_574.0
	c := math.Cos(min(math.Abs(maxAbsLat), 89) * math.Pi / 180)
	return metres / (metresPerDegree * c)
}
