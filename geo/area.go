package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// Geodesic area, length and distance on the WGS84 ellipsoid.
//
// The edges of polygons and lines are geodesics (shortest paths on the
// ellipsoid), as in PostGIS geography, GeographicLib, PROJ's geod and
// pyproj.Geod. The code is a Go port of the inverse geodesic problem and the
// polygon area of C. F. F. Karney, "Algorithms for geodesics", J. Geodesy
// 87(1), 43–55 (2013), doi:10.1007/s00190-012-0578-z, following the
// structure of his C library geodesic.c (GeographicLib 2.1, MIT licence),
// which PROJ ships and which PostGIS (ST_Area, ST_Length, ST_Distance on
// geography with use_spheroid) and pyproj call. The series are taken to
// sixth order in the third flattening, as there.
//
// For each edge the inverse problem is solved by Newton's method on the
// azimuth (two to four iterations for parcel-sized edges); the edge
// contributes S12, the area between the geodesic and the equator, which is
// c²·(α2−α1) (c the authalic radius) plus an ellipsoidal correction series.
// The ring area is the sum of the S12 in a double-double accumulator, so
// cancellation between the large per-edge terms loses nothing even for a
// 10 m × 10 m parcel.
//
// Accuracy: the method is accurate to round-off. Distances are good to
// about 15 nm (Karney 2013, table 3). Each edge's S12 carries about 1e-5 m²
// of absolute round-off (its ellipsoidal term is A4·(B42 − B41), a
// difference of O(1) series values scaled by A4 ≈ 1e11 m²), so the relative
// error is about 1e-7 for a 100 m² parcel and shrinks with size. Against
// pyproj 3.4.1 / PROJ 9.1.1 (area_test.go): 10 m × 10 m and 1 km squares
// agree exactly, a 10 km² 12-gon to 1.6e-12, a 1°×1° cell to 5.6e-15, and
// a 1000 m × 0.1 m sliver to 1.2e-7 (1.2e-5 m²); distances agree to 2 nm.
// The requirement (PostGIS ST_Area(geography) to 0.05 % on parcels
// of 100 m² to 10 km²) is met with more than three orders of magnitude to
// spare.
//
// Cost: one inverse geodesic per edge, about 0.5 µs on the development
// machine (x86-64), with no allocation (BenchmarkAreaM2: about 10 µs for a
// 20-vertex parcel).

// WGS84 ellipsoid.
const (
	wgs84A = 6378137.0
	wgs84F = 1 / 298.257223563
)

var wgs84Geod = newGeodesic(wgs84A, wgs84F)

// AreaM2 returns the area of the polygonal parts of g (orb.Polygon,
// orb.MultiPolygon, orb.Collection; other types contribute 0) on the WGS84
// ellipsoid, in square metres; coordinates are lon/lat degrees. Holes are
// subtracted; ring orientation does not matter (each ring's absolute area is
// used: outer minus holes).
//
// Edges are geodesics; see the comment at the top of area.go for the method
// (Karney 2013, as in PostGIS ST_Area(geography) and pyproj) and its
// accuracy. A ring is taken as the smaller of the two regions it bounds, so
// a ring must enclose less than half the Earth. Rings need not repeat their
// first point. A latitude outside [-90, 90] makes the result NaN.
func AreaM2(g orb.Geometry) float64 {
	switch g := g.(type) {
	case orb.Polygon:
		return polygonAreaM2(g)
	case orb.MultiPolygon:
		var sum float64
		for _, p := range g {
			sum += polygonAreaM2(p)
		}
		return sum
	case orb.Collection:
		var sum float64
		for _, c := range g {
			sum += AreaM2(c)
		}
		return sum
	}
	return 0
}

// LengthM returns the geodesic length on the WGS84 ellipsoid of the lineal
// parts of g (orb.LineString, orb.MultiLineString and those inside an
// orb.Collection), in metres; coordinates are lon/lat degrees. Polygons,
// rings and points contribute 0.
func LengthM(g orb.Geometry) float64 {
	switch g := g.(type) {
	case orb.LineString:
		return lineLengthM(g)
	case orb.MultiLineString:
		var sum float64
		for _, l := range g {
			sum += lineLengthM(l)
		}
		return sum
	case orb.Collection:
		var sum float64
		for _, c := range g {
			sum += LengthM(c)
		}
		return sum
	}
	return 0
}

// DistanceM returns the geodesic distance between two lon/lat points on
// WGS84, in metres. It is exact to about 15 nm for any pair of points,
// including nearly antipodal ones.
func DistanceM(a, b orb.Point) float64 {
	s12, _ := wgs84Geod.inverse(a[1], a[0], b[1], b[0], true, false)
	return s12
}

func lineLengthM(l orb.LineString) float64 {
	var sum float64
	for i := 1; i < len(l); i++ {
		s12, _ := wgs84Geod.inverse(l[i-1][1], l[i-1][0], l[i][1], l[i][0], true, false)
		sum += s12
	}
	return sum
}

func polygonAreaM2(p orb.Polygon) float64 {
	if len(p) == 0 {
		return 0
	}
	area := wgs84Geod.ringArea(p[0])
	for _, hole := range p[1:] {
		area -= wgs84Geod.ringArea(hole)
	}
	return area
}

// ringArea returns the absolute area of the geodesic polygon r.
func (g *geodesic) ringArea(r orb.Ring) float64 {
	n := len(r)
	if n > 1 && r[n-1] == r[0] {
		n--
	}
	if n < 3 {
		return 0
	}
	var acc accumulator
	crossings := 0
	prev := r[n-1]
	for _, p := range r[:n] {
		_, s := g.inverse(prev[1], prev[0], p[1], p[0], false, true)
		acc.add(s)
		crossings += transit(prev[0], p[0])
		prev = p
	}
	return math.Abs(areaReduce(acc, 4*math.Pi*g.c2, crossings))
}

// The rest of this file follows geodesic.c; see the comment at the top.

const (
	geodOrder = 6
	nA1       = geodOrder
	nC1       = geodOrder
	nA2       = geodOrder
	nC2       = geodOrder
	nA3       = geodOrder
	nC3       = geodOrder
	nC4       = geodOrder
	nC        = geodOrder + 1

	radPerDeg = math.Pi / 180
	maxit1    = 20
	maxit2    = maxit1 + 53 + 10
	geodTiny  = 1.4916681462400413e-154 // sqrt(smallest normal float64)
	tol0      = 2.220446049250313e-16   // machine epsilon
	tol1      = 200 * tol0
	tol2      = 1.4901161193847656e-08 // sqrt(tol0)
	tolb      = tol0
	xthresh   = 1000 * tol2
)

// geodesic holds an ellipsoid and its series coefficients.
type geodesic struct {
	a, f, f1, e2, ep2, n, b, c2, etol2 float64

	a3x [nA3]float64
	c3x [nC3 * (nC3 - 1) / 2]float64
	c4x [nC4 * (nC4 + 1) / 2]float64
}

func newGeodesic(a, f float64) *geodesic {
	g := &geodesic{a: a, f: f}
	g.f1 = 1 - f
	g.e2 = f * (2 - f)
	g.ep2 = g.e2 / (g.f1 * g.f1)
	g.n = f / (2 - f)
	g.b = a * g.f1
	e := math.Sqrt(g.e2)
	g.c2 = (a*a + g.b*g.b*math.Atanh(e)/e) / 2 // authalic radius squared (f > 0)
	g.etol2 = 0.1 * tol2 / math.Sqrt(math.Max(0.001, math.Abs(f))*math.Min(1, 1-f/2)/2)
	g.a3coeff()
	g.c3coeff()
	g.c4coeff()
	return g
}

// inverse solves the inverse geodesic problem between (lat1, lon1) and
// (lat2, lon2) in degrees, returning the distance s12 in metres when wantS
// and the area S12 between the geodesic and the equator in m² when
// wantArea.
func (g *geodesic) inverse(lat1, lon1, lat2, lon2 float64, wantS, wantArea bool) (s12, area12 float64) {
	var ca [nC]float64

	// Longitude difference, made positive.
	lon12, lon12s := angDiff(lon1, lon2)
	lonsign := 1.0
	if math.Signbit(lon12) {
		lonsign = -1
	}
	lon12 *= lonsign
	lon12s *= lonsign
	lam12 := lon12 * radPerDeg
	slam12, clam12 := sincosde(lon12, lon12s)
	lon12s = (180 - lon12) - lon12s // supplementary longitude difference

	lat1 = angRound(latFix(lat1))
	lat2 = angRound(latFix(lat2))
	// Make point 1 the one with the larger absolute latitude, and make
	// lat1 <= -0.
	swapp := 1.0
	if math.Abs(lat1) < math.Abs(lat2) || lat2 != lat2 {
		swapp = -1
		lonsign = -lonsign
		lat1, lat2 = lat2, lat1
	}
	latsign := -1.0
	if math.Signbit(lat1) {
		latsign = 1
	}
	lat1 *= latsign
	lat2 *= latsign
	// Now 0 <= lon12 <= 180, -90 <= lat1 <= -0, lat1 <= lat2 <= -lat1.

	sbet1, cbet1 := sincosd(lat1)
	sbet1 *= g.f1
	sbet1, cbet1 = norm2(sbet1, cbet1)
	cbet1 = math.Max(geodTiny, cbet1)
	sbet2, cbet2 := sincosd(lat2)
	sbet2 *= g.f1
	sbet2, cbet2 = norm2(sbet2, cbet2)
	cbet2 = math.Max(geodTiny, cbet2)

	if cbet1 < -sbet1 {
		if cbet2 == cbet1 {
			sbet2 = math.Copysign(sbet1, sbet2)
		}
	} else if math.Abs(sbet2) == -sbet1 {
		cbet2 = cbet1
	}

	dn1 := math.Sqrt(1 + g.ep2*sbet1*sbet1)
	dn2 := math.Sqrt(1 + g.ep2*sbet2*sbet2)

	var sig12, salp1, calp1, salp2, calp2, s12x float64
	omg12, somg12, comg12 := 0.0, 2.0, 0.0 // somg12 == 2: not yet computed

	meridian := lat1 == -90 || slam12 == 0
	if meridian {
		// Both points on one meridian: the geodesic may follow it.
		calp1, salp1 = clam12, slam12
		calp2, salp2 = 1, 0
		ssig1, csig1 := sbet1, calp1*cbet1
		ssig2, csig2 := sbet2, calp2*cbet2
		sig12 = math.Atan2(math.Max(0, csig1*ssig2-ssig1*csig2)+0, csig1*csig2+ssig1*ssig2)
		var m12x float64
		s12x, m12x = g.lengths(g.n, sig12, ssig1, csig1, dn1, ssig2, csig2, dn2, true, true, &ca)
		if sig12 < 1 || m12x >= 0 {
			if sig12 < 3*geodTiny || (sig12 < tol0 && (s12x < 0 || m12x < 0)) {
				sig12, s12x = 0, 0
			}
			s12x *= g.b
		} else {
			meridian = false // prolate and nearly antipodal; not for WGS84
		}
	}

	switch {
	case meridian:
	case sbet1 == 0 && (g.f <= 0 || lon12s >= g.f*180):
		// Along the equator.
		calp1, calp2 = 0, 0
		salp1, salp2 = 1, 1
		s12x = g.a * lam12
		sig12 = lam12 / g.f1
		omg12 = sig12
	default:
		var dnm float64
		sig12, salp1, calp1, salp2, calp2, dnm = g.inverseStart(sbet1, cbet1, sbet2, cbet2, lam12, slam12, clam12)
		if sig12 >= 0 {
			// Very short line; the start is the solution.
			s12x = sig12 * g.b * dnm
			omg12 = lam12 / (g.f1 * dnm)
			break
		}
		// Newton's method on alp1, keeping a bracket (alp1a, alp1b) that
		// falls back to bisection; it is not needed for WGS84.
		var l lambdaResult
		salp1a, calp1a, salp1b, calp1b := geodTiny, 1.0, geodTiny, -1.0
		tripn, tripb := false, false
		for numit := 0; ; numit++ {
			l = g.lambda12(sbet1, cbet1, dn1, sbet2, cbet2, dn2, salp1, calp1, slam12, clam12, numit < maxit1, &ca)
			v := l.lam12
			tol := tol0
			if tripn {
				tol = 8 * tol0
			}
			if tripb || !(math.Abs(v) >= tol) || numit == maxit2 {
				break
			}
			if v > 0 && (numit > maxit1 || calp1/salp1 > calp1b/salp1b) {
				salp1b, calp1b = salp1, calp1
			} else if v < 0 && (numit > maxit1 || calp1/salp1 < calp1a/salp1a) {
				salp1a, calp1a = salp1, calp1
			}
			if numit < maxit1 && l.dlam12 > 0 {
				dalp1 := -v / l.dlam12
				if math.Abs(dalp1) < math.Pi {
					sdalp1, cdalp1 := math.Sincos(dalp1)
					nsalp1 := salp1*cdalp1 + calp1*sdalp1
					if nsalp1 > 0 {
						calp1 = calp1*cdalp1 - salp1*sdalp1
						salp1 = nsalp1
						salp1, calp1 = norm2(salp1, calp1)
						tripn = math.Abs(v) <= 16*tol0
						continue
					}
				}
			}
			salp1 = (salp1a + salp1b) / 2
			calp1 = (calp1a + calp1b) / 2
			salp1, calp1 = norm2(salp1, calp1)
			tripn = false
			tripb = math.Abs(salp1a-salp1)+(calp1a-calp1) < tolb ||
				math.Abs(salp1-salp1b)+(calp1-calp1b) < tolb
		}
		salp2, calp2, sig12 = l.salp2, l.calp2, l.sig12
		if wantS {
			s12x, _ = g.lengths(l.eps, sig12, l.ssig1, l.csig1, dn1, l.ssig2, l.csig2, dn2, true, false, &ca)
			s12x *= g.b
		}
		if wantArea {
			// omg12 = lam12 - domg12
			sdomg12, cdomg12 := math.Sincos(l.domg12)
			somg12 = slam12*cdomg12 - clam12*sdomg12
			comg12 = clam12*cdomg12 + slam12*sdomg12
		}
	}

	s12 = 0 + s12x // convert -0 to 0

	if wantArea {
		salp0 := salp1 * cbet1
		calp0 := math.Hypot(calp1, salp1*sbet1)
		if calp0 != 0 && salp0 != 0 {
			ssig1, csig1 := norm2(sbet1, calp1*cbet1)
			ssig2, csig2 := norm2(sbet2, calp2*cbet2)
			k2 := calp0 * calp0 * g.ep2
			eps := k2 / (2*(1+math.Sqrt(1+k2)) + k2)
			a4 := g.a * g.a * calp0 * salp0 * g.e2
			g.c4f(eps, &ca)
			b41 := sinCosSeries(false, ssig1, csig1, ca[:], nC4)
			b42 := sinCosSeries(false, ssig2, csig2, ca[:], nC4)
			area12 = a4 * (b42 - b41)
		}
		if !meridian && somg12 == 2 {
			somg12, comg12 = math.Sincos(omg12)
		}
		var alp12 float64
		if !meridian && comg12 > -0.7071 && sbet2-sbet1 < 1.75 {
			// tan(Gamma/2) = tan(omg12/2) *
			// (tan(bet1/2)+tan(bet2/2))/(1+tan(bet1/2)*tan(bet2/2)),
			// with tan(x/2) = sin(x)/(1+cos(x)).
			domg12, dbet1, dbet2 := 1+comg12, 1+cbet1, 1+cbet2
			alp12 = 2 * math.Atan2(somg12*(sbet1*dbet2+sbet2*dbet1), domg12*(sbet1*sbet2+dbet1*dbet2))
		} else {
			salp12 := salp2*calp1 - calp2*salp1
			calp12 := calp2*calp1 + salp2*salp1
			if salp12 == 0 && calp12 < 0 {
				salp12 = geodTiny * calp1
				calp12 = -1
			}
			alp12 = math.Atan2(salp12, calp12)
		}
		area12 += g.c2 * alp12
		area12 *= swapp * lonsign * latsign
		area12 += 0
	}
	return s12, area12
}

// lambdaResult is the result of lambda12.
type lambdaResult struct {
	lam12, salp2, calp2, sig12, ssig1, csig1, ssig2, csig2, eps, domg12, dlam12 float64
}

// lambda12 returns the longitude difference reached by the geodesic leaving
// point 1 with azimuth alp1, minus the target lam120, and its derivative.
func (g *geodesic) lambda12(sbet1, cbet1, dn1, sbet2, cbet2, dn2, salp1, calp1, slam120, clam120 float64, diffp bool, ca *[nC]float64) lambdaResult {
	var r lambdaResult
	if sbet1 == 0 && calp1 == 0 {
		calp1 = -geodTiny // break the degeneracy of the equatorial line
	}
	salp0 := salp1 * cbet1
	calp0 := math.Hypot(calp1, salp1*sbet1)

	somg1 := salp0 * sbet1
	comg1 := calp1 * cbet1
	ssig1, csig1 := norm2(sbet1, comg1)

	salp2 := salp1
	if cbet2 != cbet1 {
		salp2 = salp0 / cbet2
	}
	var calp2 float64
	if cbet2 != cbet1 || math.Abs(sbet2) != -sbet1 {
		var t float64
		if cbet1 < -sbet1 {
			t = (cbet2 - cbet1) * (cbet1 + cbet2)
		} else {
			t = (sbet1 - sbet2) * (sbet1 + sbet2)
		}
		calp2 = math.Sqrt((calp1*cbet1)*(calp1*cbet1)+t) / cbet2
	} else {
		calp2 = math.Abs(calp1)
	}
	somg2 := salp0 * sbet2
	comg2 := calp2 * cbet2
	ssig2, csig2 := norm2(sbet2, comg2)

	sig12 := math.Atan2(math.Max(0, csig1*ssig2-ssig1*csig2)+0, csig1*csig2+ssig1*ssig2)
	somg12 := math.Max(0, comg1*somg2-somg1*comg2) + 0
	comg12 := comg1*comg2 + somg1*somg2
	eta := math.Atan2(somg12*clam120-comg12*slam120, comg12*clam120+somg12*slam120)

	k2 := calp0 * calp0 * g.ep2
	eps := k2 / (2*(1+math.Sqrt(1+k2)) + k2)
	g.c3f(eps, ca)
	b312 := sinCosSeries(true, ssig2, csig2, ca[:], nC3-1) - sinCosSeries(true, ssig1, csig1, ca[:], nC3-1)
	domg12 := -g.f * g.a3f(eps) * salp0 * (sig12 + b312)

	r.lam12 = eta + domg12
	if diffp {
		if calp2 == 0 {
			r.dlam12 = -2 * g.f1 * dn1 / sbet1
		} else {
			_, m12b := g.lengths(eps, sig12, ssig1, csig1, dn1, ssig2, csig2, dn2, false, true, ca)
			r.dlam12 = m12b * g.f1 / (calp2 * cbet2)
		}
	}
	r.salp2, r.calp2, r.sig12 = salp2, calp2, sig12
	r.ssig1, r.csig1, r.ssig2, r.csig2 = ssig1, csig1, ssig2, csig2
	r.eps, r.domg12 = eps, domg12
	return r
}

// lengths returns the distance s12b and the reduced length m12b, both
// divided by b.
func (g *geodesic) lengths(eps, sig12, ssig1, csig1, dn1, ssig2, csig2, dn2 float64, wantS, wantM bool, ca *[nC]float64) (s12b, m12b float64) {
	var cb [nC]float64
	var a1, a2, m0, j12 float64
	a1 = a1m1f(eps)
	c1f(eps, ca)
	if wantM {
		a2 = a2m1f(eps)
		c2f(eps, &cb)
		m0 = a1 - a2
		a2 = 1 + a2
	}
	a1 = 1 + a1
	if wantS {
		b1 := sinCosSeries(true, ssig2, csig2, ca[:], nC1) - sinCosSeries(true, ssig1, csig1, ca[:], nC1)
		s12b = a1 * (sig12 + b1)
		if wantM {
			b2 := sinCosSeries(true, ssig2, csig2, cb[:], nC2) - sinCosSeries(true, ssig1, csig1, cb[:], nC2)
			j12 = m0*sig12 + (a1*b1 - a2*b2)
		}
	} else if wantM {
		for l := 1; l <= nC2; l++ {
			cb[l] = a1*ca[l] - a2*cb[l]
		}
		j12 = m0*sig12 + (sinCosSeries(true, ssig2, csig2, cb[:], nC2) - sinCosSeries(true, ssig1, csig1, cb[:], nC2))
	}
	if wantM {
		// The conversions force rounding of each product (no fused
		// multiply-add) for accurate cancellation with coincident points.
		m12b = float64(dn2*float64(csig1*ssig2)) - float64(dn1*float64(ssig1*csig2)) - csig1*csig2*j12
	}
	return s12b, m12b
}

// astroid solves k⁴+2k³−(x²+y²−1)k²−2y²k−y² = 0 for the positive root k.
func astroid(x, y float64) float64 {
	p, q := x*x, y*y
	r := (p + q - 1) / 6
	if q == 0 && r <= 0 {
		return 0
	}
	s := p * q / 4
	r2 := r * r
	r3 := r * r2
	disc := s * (s + 2*r3)
	u := r
	if disc >= 0 {
		t3 := s + r3
		if t3 < 0 {
			t3 -= math.Sqrt(disc)
		} else {
			t3 += math.Sqrt(disc)
		}
		t := math.Cbrt(t3)
		if t != 0 {
			u += t + r2/t
		}
	} else {
		ang := math.Atan2(math.Sqrt(-disc), -(s + r3))
		u += 2 * r * math.Cos(ang/3)
	}
	v := math.Sqrt(u*u + q)
	uv := u + v
	if u < 0 {
		uv = q / (v - u)
	}
	w := (uv - q) / (2 * v)
	return uv / (math.Sqrt(uv+w*w) + w)
}

// inverseStart returns a starting azimuth for Newton's method. For very
// short lines it returns sig12 >= 0 with the solution, else sig12 = -1.
func (g *geodesic) inverseStart(sbet1, cbet1, sbet2, cbet2, lam12, slam12, clam12 float64) (sig12, salp1, calp1, salp2, calp2, dnm float64) {
	sig12 = -1
	sbet12 := sbet2*cbet1 - cbet2*sbet1
	cbet12 := cbet2*cbet1 + sbet2*sbet1
	sbet12a := sbet2*cbet1 + cbet2*sbet1
	shortline := cbet12 >= 0 && sbet12 < 0.5 && cbet2*lam12 < 0.5
	var somg12, comg12 float64
	if shortline {
		sbetm2 := (sbet1 + sbet2) * (sbet1 + sbet2)
		sbetm2 /= sbetm2 + (cbet1+cbet2)*(cbet1+cbet2)
		dnm = math.Sqrt(1 + g.ep2*sbetm2)
		somg12, comg12 = math.Sincos(lam12 / (g.f1 * dnm))
	} else {
		somg12, comg12 = slam12, clam12
	}

	salp1 = cbet2 * somg12
	if comg12 >= 0 {
		calp1 = sbet12 + cbet2*sbet1*somg12*somg12/(1+comg12)
	} else {
		calp1 = sbet12a - cbet2*sbet1*somg12*somg12/(1-comg12)
	}
	ssig12 := math.Hypot(salp1, calp1)
	csig12 := sbet1*sbet2 + cbet1*cbet2*comg12

	switch {
	case shortline && ssig12 < g.etol2:
		// Really short line.
		salp2 = cbet1 * somg12
		if comg12 >= 0 {
			calp2 = sbet12 - cbet1*sbet2*(somg12*somg12/(1+comg12))
		} else {
			calp2 = sbet12 - cbet1*sbet2*(1-comg12)
		}
		salp2, calp2 = norm2(salp2, calp2)
		sig12 = math.Atan2(ssig12, csig12)
	case math.Abs(g.n) > 0.1 || csig12 >= 0 || ssig12 >= 6*math.Abs(g.n)*math.Pi*cbet1*cbet1:
		// The zeroth-order spherical approximation is good enough.
	default:
		// Nearly antipodal (oblate ellipsoid): solve the astroid problem.
		lam12x := math.Atan2(-slam12, -clam12) // lam12 - pi
		k2 := sbet1 * sbet1 * g.ep2
		eps := k2 / (2*(1+math.Sqrt(1+k2)) + k2)
		lamscale := g.f * cbet1 * g.a3f(eps) * math.Pi
		betscale := lamscale * cbet1
		x := lam12x / lamscale
		y := sbet12a / betscale
		if y > -tol1 && x > -1-xthresh {
			salp1 = math.Min(1, -x)
			calp1 = -math.Sqrt(1 - salp1*salp1)
		} else {
			k := astroid(x, y)
			omg12a := lamscale * (-x * k / (1 + k))
			somg12, comg12 = math.Sin(omg12a), -math.Cos(omg12a)
			salp1 = cbet2 * somg12
			calp1 = sbet12a - cbet2*sbet1*somg12*somg12/(1-comg12)
		}
	}
	if !(salp1 <= 0) {
		salp1, calp1 = norm2(salp1, calp1)
	} else {
		salp1, calp1 = 1, 0
	}
	return sig12, salp1, calp1, salp2, calp2, dnm
}

// Series coefficients (Karney 2013, eqs. (15)–(25), sixth order).

var a1m1Coeff = [...]float64{1, 4, 64, 0, 256}

func a1m1f(eps float64) float64 {
	const m = nA1 / 2
	t := polyval(m, a1m1Coeff[:], eps*eps) / a1m1Coeff[m+1]
	return (t + eps) / (1 - eps)
}

var c1Coeff = [...]float64{
	-1, 6, -16, 32,
	-9, 64, -128, 2048,
	9, -16, 768,
	3, -5, 512,
	-7, 1280,
	-7, 2048,
}

func c1f(eps float64, c *[nC]float64) {
	eps2 := eps * eps
	d := eps
	o := 0
	for l := 1; l <= nC1; l++ {
		m := (nC1 - l) / 2
		c[l] = d * polyval(m, c1Coeff[o:], eps2) / c1Coeff[o+m+1]
		o += m + 2
		d *= eps
	}
}

var a2m1Coeff = [...]float64{-11, -28, -192, 0, 256}

func a2m1f(eps float64) float64 {
	const m = nA2 / 2
	t := polyval(m, a2m1Coeff[:], eps*eps) / a2m1Coeff[m+1]
	return (t - eps) / (1 + eps)
}

var c2Coeff = [...]float64{
	1, 2, 16, 32,
	35, 64, 384, 2048,
	15, 80, 768,
	7, 35, 512,
	63, 1280,
	77, 2048,
}

func c2f(eps float64, c *[nC]float64) {
	eps2 := eps * eps
	d := eps
	o := 0
	for l := 1; l <= nC2; l++ {
		m := (nC2 - l) / 2
		c[l] = d * polyval(m, c2Coeff[o:], eps2) / c2Coeff[o+m+1]
		o += m + 2
		d *= eps
	}
}

func (g *geodesic) a3coeff() {
	coeff := [...]float64{
		-3, 128,
		-2, -3, 64,
		-1, -3, -1, 16,
		3, -1, -2, 8,
		1, -1, 2,
		1, 1,
	}
	o, k := 0, 0
	for j := nA3 - 1; j >= 0; j-- {
		m := min(nA3-j-1, j)
		g.a3x[k] = polyval(m, coeff[o:], g.n) / coeff[o+m+1]
		k++
		o += m + 2
	}
}

func (g *geodesic) c3coeff() {
	coeff := [...]float64{
		3, 128,
		2, 5, 128,
		-1, 3, 3, 64,
		-1, 0, 1, 8,
		-1, 1, 4,
		5, 256,
		1, 3, 128,
		-3, -2, 3, 64,
		1, -3, 2, 32,
		7, 512,
		-10, 9, 384,
		5, -9, 5, 192,
		7, 512,
		-14, 7, 512,
		21, 2560,
	}
	o, k := 0, 0
	for l := 1; l < nC3; l++ {
		for j := nC3 - 1; j >= l; j-- {
			m := min(nC3-j-1, j)
			g.c3x[k] = polyval(m, coeff[o:], g.n) / coeff[o+m+1]
			k++
			o += m + 2
		}
	}
}

func (g *geodesic) c4coeff() {
	coeff := [...]float64{
		97, 15015,
		1088, 156, 45045,
		-224, -4784, 1573, 45045,
		-10656, 14144, -4576, -858, 45045,
		64, 624, -4576, 6864, -3003, 15015,
		100, 208, 572, 3432, -12012, 30030, 45045,
		1, 9009,
		-2944, 468, 135135,
		5792, 1040, -1287, 135135,
		5952, -11648, 9152, -2574, 135135,
		-64, -624, 4576, -6864, 3003, 135135,
		8, 10725,
		1856, -936, 225225,
		-8448, 4992, -1144, 225225,
		-1440, 4160, -4576, 1716, 225225,
		-136, 63063,
		1024, -208, 105105,
		3584, -3328, 1144, 315315,
		-128, 135135,
		-2560, 832, 405405,
		128, 99099,
	}
	o, k := 0, 0
	for l := 0; l < nC4; l++ {
		for j := nC4 - 1; j >= l; j-- {
			m := nC4 - j - 1
			g.c4x[k] = polyval(m, coeff[o:], g.n) / coeff[o+m+1]
			k++
			o += m + 2
		}
	}
}

func (g *geodesic) a3f(eps float64) float64 {
	return polyval(nA3-1, g.a3x[:], eps)
}

// c3f sets c[1..nC3-1].
func (g *geodesic) c3f(eps float64, c *[nC]float64) {
	mult := 1.0
	o := 0
	for l := 1; l < nC3; l++ {
		m := nC3 - l - 1
		mult *= eps
		c[l] = mult * polyval(m, g.c3x[o:], eps)
		o += m + 1
	}
}

// c4f sets c[0..nC4-1].
func (g *geodesic) c4f(eps float64, c *[nC]float64) {
	mult := 1.0
	o := 0
	for l := 0; l < nC4; l++ {
		m := nC4 - l - 1
		c[l] = mult * polyval(m, g.c4x[o:], eps)
		o += m + 1
		mult *= eps
	}
}

// polyval evaluates the polynomial p[0]·x^n + … + p[n] by Horner's rule.
func polyval(n int, p []float64, x float64) float64 {
	if n < 0 {
		return 0
	}
	y := p[0]
	for _, c := range p[1 : n+1] {
		y = y*x + c
	}
	return y
}

// sinCosSeries evaluates by Clenshaw summation
//
//	sinp:  Σ c[i]·sin(2i·x), i = 1..n
//	!sinp: Σ c[i]·cos((2i+1)·x), i = 0..n-1
func sinCosSeries(sinp bool, sinx, cosx float64, c []float64, n int) float64 {
	k := n // one beyond the last element
	if sinp {
		k++
	}
	ar := 2 * (cosx - sinx) * (cosx + sinx) // 2·cos(2x)
	var y0, y1 float64
	if n&1 == 1 {
		k--
		y0 = c[k]
	}
	for n /= 2; n > 0; n-- {
		k--
		y1 = ar*y0 - y1 + c[k]
		k--
		y0 = ar*y1 - y0 + c[k]
	}
	if sinp {
		return 2 * sinx * cosx * y0 // sin(2x)·y0
	}
	return cosx * (y0 - y1)
}

// Angle helpers. They reduce arguments exactly in degrees before converting
// to radians, so that e.g. sincosd(90) is exactly (1, 0).

// norm2 scales (s, c) to unit length.
func norm2(s, c float64) (float64, float64) {
	// math.Hypot is slow; the arguments are sines and cosines, so the plain
	// formula is safe except for the tiny values guarded here.
	r := math.Sqrt(s*s + c*c)
	if !(r > 1e-150) {
		r = math.Hypot(s, c)
	}
	return s / r, c / r
}

// sumx returns u+v rounded and the exact error t: u+v = s+t.
func sumx(u, v float64) (s, t float64) {
	s = u + v
	up := s - v
	vpp := s - up
	up -= u
	vpp -= v
	if s != 0 {
		t = 0 - (up + vpp)
	} else {
		t = s
	}
	return s, t
}

// rem360 returns the IEEE remainder of x/360, in [−180, 180].
func rem360(x float64) float64 {
	if math.Abs(x) <= 180 {
		return x // math.Remainder is slow, and exact here anyway
	}
	return math.Remainder(x, 360)
}

func angNormalize(x float64) float64 {
	y := rem360(x)
	if math.Abs(y) == 180 {
		return math.Copysign(180, x)
	}
	return y
}

func latFix(x float64) float64 {
	if math.Abs(x) > 90 {
		return math.NaN()
	}
	return x
}

// angDiff returns y − x reduced to [−180, 180] and its rounding error.
func angDiff(x, y float64) (d, e float64) {
	d, t := sumx(rem360(-x), rem360(y))
	d, t = sumx(rem360(d), t)
	if d == 0 || math.Abs(d) == 180 {
		if t == 0 {
			d = math.Copysign(d, y-x)
		} else {
			d = math.Copysign(d, -t)
		}
	}
	return d, t
}

// angRound rounds tiny angles so that values near the equator behave as if
// on it.
func angRound(x float64) float64 {
	const z = 1.0 / 16
	y := math.Abs(x)
	if w := z - y; w > 0 {
		y = z - w
	}
	return math.Copysign(y, x)
}

// remquo90 returns r = x − 90·q with |r| ≤ 45, computed exactly, and q.
func remquo90(x float64) (r float64, q int) {
	r = x
	if !(math.Abs(r) < 360) {
		r = math.Mod(x, 360)
	}
	q = int(math.Floor(r/90 + 0.5))
	r -= 90 * float64(q)
	return r, q
}

func sincosd(x float64) (sinx, cosx float64) {
	r, q := remquo90(x)
	return sincosQuadrant(x, r*radPerDeg, q)
}

// sincosde is sincosd of x + t, where t is a small correction.
func sincosde(x, t float64) (sinx, cosx float64) {
	r, q := remquo90(x)
	return sincosQuadrant(x, angRound(r+t)*radPerDeg, q)
}

func sincosQuadrant(x, r float64, q int) (sinx, cosx float64) {
	s, c := math.Sincos(r)
	switch uint(q) & 3 {
	case 0:
		sinx, cosx = s, c
	case 1:
		sinx, cosx = c, -s
	case 2:
		sinx, cosx = -s, -c
	default:
		sinx, cosx = -c, s
	}
	cosx += 0
	if sinx == 0 {
		sinx = math.Copysign(sinx, x)
	}
	return sinx, cosx
}

// transit returns 1 or −1 when the edge lon1→lon2 crosses the prime
// meridian eastwards or westwards, else 0.
func transit(lon1, lon2 float64) int {
	lon12, _ := angDiff(lon1, lon2)
	lon1 = angNormalize(lon1)
	lon2 = angNormalize(lon2)
	switch {
	case lon12 > 0 && ((lon1 < 0 && lon2 >= 0) || (lon1 > 0 && lon2 == 0)):
		return 1
	case lon12 < 0 && lon1 >= 0 && lon2 < 0:
		return -1
	}
	return 0
}

// accumulator is a double-double sum.
type accumulator struct{ s, t float64 }

func (a *accumulator) add(y float64) {
	z, u := sumx(y, a.t)
	a.s, a.t = sumx(z, a.s)
	if a.s == 0 {
		a.s = u
	} else {
		a.t += u
	}
}

// areaReduce reduces the sum of the S12 of a ring to its signed area,
// positive for counter-clockwise rings, in (−area0/2, area0/2].
func areaReduce(acc accumulator, area0 float64, crossings int) float64 {
	acc.s = math.Remainder(acc.s, area0)
	acc.add(0)
	if crossings&1 != 0 {
		if acc.s < 0 {
			acc.add(area0 / 2)
		} else {
			acc.add(-area0 / 2)
		}
	}
	// The sum is clockwise-positive; negate for counter-clockwise.
	acc.s, acc.t = -acc.s, -acc.t
	if acc.s > area0/2 {
		acc.add(-area0)
	} else if acc.s <= -area0/2 {
		acc.add(area0)
	}
	return 0 + acc.s
}
