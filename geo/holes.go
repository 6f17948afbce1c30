package geo

import (
	"github.com/paulmach/orb"
)

// A polygon with holes is checked by simplefeatures' Polygon.Validate,
// whose verdicts (a ring "nearly self-intersecting" where only
// floating-point error makes two edges meet, as in JTS) are part of what
// plancheck reports. But it builds an R-tree per ring and allocates for
// every edge, and most holes meet nothing. sfAcceptsHoles proves, for the
// common polygon, that Validate would accept it, so it need not run:
//
//   - Validate's decisions all come from floating-point orientations
//     (q−p)×(s−q) of vertices: which edges cross or touch within and
//     between rings, and which side of a ring a vertex lies on. When such
//     a value is far larger than its rounding error (Shewchuk's bound,
//     with a margin), its sign is the exact sign, so Validate decides as
//     exact arithmetic does. Every orientation Validate computes is
//     checked this way; one in doubt sends the polygon to Validate.
//   - With exact signs, Validate accepts a polygon whose rings are simple
//     (checked before, exactly), whose rings meet nowhere, whose holes each
//     start strictly inside the shell and whose holes lie outside one
//     another. The exact tests here require exactly that; anything else
//     (touching rings, a hole on the shell) goes to Validate for its
//     verdict and message.
//
// TestHoleCertificateAgreesWithSimplefeatures and FuzzHoleCertificate
// compare the two on degenerate and near-degenerate polygons.

// certainMargin widens the rounding-error bound: the sign is trusted only
// when the value exceeds four times the bound, so that any evaluation order
// simplefeatures' compiled code may use has the exact sign too.
const certainMargin = 4

// maxCertifiedEdges bounds the pairwise edge comparisons of the
// certificate; larger polygons go to Validate, which indexes its edges.
const maxCertifiedEdges = 256

// sfSignCertain reports whether simplefeatures' orientation (q−p)×(s−q)
// of three points has the exact sign (zero included) whatever rounding
// its evaluation meets.
func sfSignCertain(p, q, s orb.Point) bool {
	if s == q || s == p || p == q {
		return true // (s−q) or (q−p) is zero, or they are opposite: exactly 0
	}
	ux, uy := q[0]-p[0], q[1]-p[1]
	vx, vy := s[0]-q[0], s[1]-q[1]
	return signClear(ux*vy, uy*vx, certainMargin*ccwErrBound)
}

// edgePairCertain reports whether the four orientations simplefeatures
// computes to intersect edges ab and cd all have their exact signs.
func edgePairCertain(a, b, c, d orb.Point) bool {
	return sfSignCertain(a, b, c) && sfSignCertain(a, b, d) && sfSignCertain(c, d, a) && sfSignCertain(c, d, b)
}

// sfAcceptsHoles reports whether simplefeatures' Polygon.Validate surely
// accepts rings (a shell and at least one hole, each non-empty, closed and
// exactly simple, as ringValidity found). False means "run Validate".
func sfAcceptsHoles(rings orb.Polygon) bool {
	edges := 0
	for _, r := range rings {
		edges += len(r) - 1
		for k := 1; k < len(r); k++ {
			if r[k] == r[k-1] {
				// Validate skips zero-length edges when it pairs
				// neighbours; left to it.
				return false
			}
		}
	}
	if edges > maxCertifiedEdges {
		return false
	}
	bounds := make([]orb.Bound, len(rings))
	for i, r := range rings {
		bounds[i] = pointsBound(r)
		if !ringEdgesCertain(r) {
			return false
		}
	}
	for i := 1; i < len(rings); i++ {
		// The hole's first vertex: Validate walks a hole's vertices until
		// one is clearly inside or outside the shell.
		if !pointInRingCertain(rings[i][0], rings[0]) || pointInRing(rings[i][0], rings[0]) != 1 {
			return false
		}
		for j := 0; j < i; j++ {
			if !bounds[i].Intersects(bounds[j]) {
				continue
			}
			if j > 0 {
				// Two holes whose boxes meet: Validate tests each one's
				// first vertex against the other.
				for _, pr := range [2][2]int{{i, j}, {j, i}} {
					pt, ring := rings[pr[0]][0], rings[pr[1]]
					if !pointInRingCertain(pt, ring) || pointInRing(pt, ring) != -1 {
						return false
					}
				}
			}
			if !ringsApartCertain(rings[i], rings[j]) {
				return false
			}
		}
	}
	return true
}

// ringEdgesCertain reports whether every pair of edges of r whose boxes
// meet, as simplefeatures' IsSimple pairs them, is decided by exact
// orientation signs.
func ringEdgesCertain(r orb.Ring) bool {
	for i := 0; i+1 < len(r); i++ {
		bi := segBound(r[i], r[i+1])
		for j := i + 1; j+1 < len(r); j++ {
			if bi.Intersects(segBound(r[j], r[j+1])) && !edgePairCertain(r[i], r[i+1], r[j], r[j+1]) {
				return false
			}
		}
	}
	return true
}

// ringsApartCertain reports whether no edge of r meets an edge of s,
// exactly, with every pair simplefeatures would intersect decided by
// exact signs.
func ringsApartCertain(r, s orb.Ring) bool {
	for i := 0; i+1 < len(r); i++ {
		bi := segBound(r[i], r[i+1])
		for j := 0; j+1 < len(s); j++ {
			if !bi.Intersects(segBound(s[j], s[j+1])) {
				continue
			}
			if !edgePairCertain(r[i], r[i+1], s[j], s[j+1]) {
				return false
			}
			if _, _, meet := segmentsMeet(r[i], r[i+1], s[j], s[j+1]); meet {
				return false
			}
		}
	}
	return true
}

// pointInRingCertain reports whether simplefeatures' point-in-ring test
// (a crossing count on edges the horizontal through pt passes, and an
// on-edge test on edges whose box holds pt) sees every orientation it uses
// with its exact sign.
func pointInRingCertain(pt orb.Point, r orb.Ring) bool {
	for i := 0; i+1 < len(r); i++ {
		lower, upper := r[i], r[i+1]
		if lower[1] > upper[1] {
			lower, upper = upper, lower
		}
		spans := pt[1] >= lower[1] && pt[1] < upper[1]
		if (spans || inBox(lower, upper, pt)) && !sfSignCertain(lower, upper, pt) {
			return false
		}
	}
	return true
}
