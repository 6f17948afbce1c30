package geo

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/peterstace/simplefeatures/geom"
)

// Gaps returns the connected parts of the union of areas that no shape of
// covers covers (无缝: a zoning layer must cover its territory), each as one
// polygon, in the order the overlay engine gives them. Parts touching at a
// single point are separate parts.
func Gaps(areas, covers []*Shape) ([]orb.Polygon, error) {
	if len(areas) == 0 {
		return nil, nil
	}
	var bound orb.Bound
	parts := make([]geom.Geometry, len(areas))
	for i, a := range areas {
		parts[i] = a.sf()
		if i == 0 {
			bound = a.Bound
		} else {
			bound = bound.Union(a.Bound)
		}
	}
	territory, err := geom.UnionMany(parts)
	if err != nil {
		return nil, fmt.Errorf("geo: union of the covered area failed: %w", err)
	}
	var near []geom.Geometry
	for _, c := range covers {
		if c.Bound.Intersects(bound) {
			near = append(near, c.sf())
		}
	}
	rest := territory
	if len(near) > 0 {
		cover, err := geom.UnionMany(near)
		if err != nil {
			return nil, fmt.Errorf("geo: union of the covering layer failed: %w", err)
		}
		if rest, err = geom.Difference(territory, cover); err != nil {
			return nil, fmt.Errorf("geo: difference failed: %w", err)
		}
	}
	var out []orb.Polygon
	eachPart(fromSF(rest), func(g orb.Geometry) {
		if p, ok := g.(orb.Polygon); ok && len(p) > 0 {
			out = append(out, p)
		}
	})
	return out, nil
}
