package geo

import (
	"math"
	"regexp"
	"strconv"

	"github.com/paulmach/orb"
)

var nearRE = regexp.MustCompile(`\(at or near \{?(?:POINT\()?([-+0-9.eE]+)[ ,]+([-+0-9.eE]+)\)?\}?\)`)

// Validity checks OGC validity (simple rings, rings touching at most at a
// point, holes inside shells, connected interiors, non-overlapping
// MultiPolygon parts). It returns "" for a valid geometry, else what is
// wrong and where.
func Validity(g orb.Geometry) (string, *orb.Point) {
	sg, err := toSF(g)
	if err != nil {
		return err.Error(), nil
	}
	verr := sg.Validate()
	if verr == nil {
		return "", nil
	}
	msg := verr.Error()
	var at *orb.Point
	if m := nearRE.FindStringSubmatchIndex(msg); m != nil {
		x, _ := strconv.ParseFloat(msg[m[2]:m[3]], 64)
		y, _ := strconv.ParseFloat(msg[m[4]:m[5]], 64)
		at = &orb.Point{x, y}
		msg = trimSpace(msg[:m[0]] + msg[m[1]:])
	}
	// simplefeatures places a non-simple ring at its first vertex; a
	// reviewer needs the crossing itself.
	if p := selfIntersection(g); p != nil {
		at = p
	}
	return "invalid geometry: " + msg, at
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == ':') {
		s = s[:len(s)-1]
	}
	return s
}

// selfIntersection finds the first place where a ring crosses, touches or
// doubles back on itself. Quadratic, so only for rings of modest size.
func selfIntersection(g orb.Geometry) *orb.Point {
	var rings []orb.Ring
	switch g := g.(type) {
	case orb.Polygon:
		rings = g
	case orb.MultiPolygon:
		for _, p := range g {
			rings = append(rings, p...)
		}
	}
	for _, r := range rings {
		n := len(r) - 1
		if n < 3 || n > 4000 {
			continue
		}
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				adjacent := j == i+1 || (i == 0 && j == n-1)
				if p, ok := segmentsMeet(r[i], r[i+1], r[j], r[j+1], adjacent); ok {
					return &p
				}
			}
		}
	}
	return nil
}

// segmentsMeet reports a meeting of segments ab and cd other than the
// shared vertex of adjacent segments.
func segmentsMeet(a, b, c, d orb.Point, adjacent bool) (orb.Point, bool) {
	d1 := cross(c, d, a)
	d2 := cross(c, d, b)
	d3 := cross(a, b, c)
	d4 := cross(a, b, d)
	if adjacent {
		// Adjacent segments share b == c; they only meet elsewhere when
		// collinear and pointing back (a spike).
		if d1 == 0 && d4 == 0 {
			if (a[0]-b[0])*(d[0]-c[0])+(a[1]-b[1])*(d[1]-c[1]) > 0 {
				return b, true
			}
		}
		return orb.Point{}, false
	}
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		t := d1 / (d1 - d2)
		return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}, true
	}
	switch {
	case d1 == 0 && onSegment(c, d, a):
		return a, true
	case d2 == 0 && onSegment(c, d, b):
		return b, true
	case d3 == 0 && onSegment(a, b, c):
		return c, true
	case d4 == 0 && onSegment(a, b, d):
		return d, true
	}
	return orb.Point{}, false
}

func cross(o, a, b orb.Point) float64 {
	return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0])
}

func onSegment(a, b, p orb.Point) bool {
	return math.Min(a[0], b[0]) <= p[0] && p[0] <= math.Max(a[0], b[0]) &&
		math.Min(a[1], b[1]) <= p[1] && p[1] <= math.Max(a[1], b[1])
}

