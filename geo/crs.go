package geo

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// CRS is a coordinate reference system plancheck can read.
//
// Geographic systems (EPSG:4326, EPSG:4490) hold lon/lat degrees and are
// treated as identical: CGCS2000 and WGS84 differ by a few centimetres, far
// below the digitising accuracy of plan data. Projected systems are CGCS2000
// 3-degree Gauss–Krüger zones: a transverse Mercator on the GRS80 ellipsoid
// with scale 1 on the central meridian and false northing 0.
//
// The zero value is not WGS84; use [WGS84] or [ParseCRS].
type CRS struct {
	EPSG            int     // 4326, 4490, 4513..4554; 0 for a custom transverse Mercator
	Name            string  // e.g. "EPSG:4547 CGCS2000 / 3-degree Gauss-Kruger CM 114E"
	Geographic      bool    // lon/lat degrees
	CentralMeridian float64 // degrees, projected only
	FalseEasting    float64 // metres (zone*1e6+500000 for 4513–4533; 500000 for 4534–4554)
	// Shift marks the obfuscated lon/lat of Chinese web maps (GCJ-02,
	// BD-09): degrees, converted to WGS84 on read.
	Shift Shift
}

// GCJ02 and BD09 are the lon/lat systems of 高德/腾讯 and Baidu basemaps.
var (
	GCJ02 = CRS{Name: "GCJ-02", Shift: ShiftGCJ02}
	BD09  = CRS{Name: "BD-09", Shift: ShiftBD09}
)

// WGS84 is EPSG:4326, lon/lat degrees on WGS84: the GeoJSON (RFC 7946)
// default.
var WGS84 = CRS{EPSG: 4326, Name: "EPSG:4326 WGS 84", Geographic: true}

// cgcs2000 is EPSG:4490, lon/lat degrees on CGCS2000, taken as WGS84.
var cgcs2000 = CRS{EPSG: 4490, Name: "EPSG:4490 CGCS2000", Geographic: true}

// EPSG code ranges of the CGCS2000 3-degree Gauss–Krüger zones.
const (
	epsgZonedFirst = 4513 // zone 25, CM 75E, FE 25500000
	epsgZonedLast  = 4533 // zone 45, CM 135E, FE 45500000
	epsgCMFirst    = 4534 // CM 75E, FE 500000
	epsgCMLast     = 4554 // CM 135E, FE 500000
)

// UnsupportedCRSError reports a CRS name that [ParseCRS] does not know.
type UnsupportedCRSError struct {
	CRS string // the text as given
}

func (e *UnsupportedCRSError) Error() string {
	return fmt.Sprintf("geo: unsupported CRS %q (supported: EPSG:4326, EPSG:4490, EPSG:4513–4554, GCJ-02, BD-09)", e.CRS)
}

// ParseCRS parses a CRS name as found in GeoJSON "crs" members, GDAL output
// and configuration files. It accepts "EPSG:4547", "epsg:4547", "4547",
// "urn:ogc:def:crs:EPSG::4547" (with or without a version between the
// colons), "http://www.opengis.net/def/crs/EPSG/0/4547",
// "urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84" and "CRS84".
// Supported codes are 4326, 4490 and 4513–4554; any other input returns an
// *[UnsupportedCRSError].
func ParseCRS(s string) (CRS, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	var code string
	switch {
	case t == "GCJ-02" || t == "GCJ02":
		return GCJ02, nil
	case t == "BD-09" || t == "BD09":
		return BD09, nil
	case t == "CRS84" || t == "OGC:CRS84" || t == "URN:OGC:DEF:CRS:OGC::CRS84" ||
		t == "URN:OGC:DEF:CRS:OGC:1.3:CRS84" ||
		t == "HTTP://WWW.OPENGIS.NET/DEF/CRS/OGC/1.3/CRS84":
		return WGS84, nil
	case strings.HasPrefix(t, "URN:OGC:DEF:CRS:EPSG:"):
		// urn:ogc:def:crs:EPSG:{version}:{code}; the version may be empty.
		rest := strings.TrimPrefix(t, "URN:OGC:DEF:CRS:EPSG:")
		i := strings.IndexByte(rest, ':')
		if i < 0 {
			return CRS{}, &UnsupportedCRSError{CRS: s}
		}
		code = rest[i+1:]
	case strings.HasPrefix(t, "HTTP://WWW.OPENGIS.NET/DEF/CRS/EPSG/"):
		// http://www.opengis.net/def/crs/EPSG/{version}/{code}
		rest := strings.TrimPrefix(t, "HTTP://WWW.OPENGIS.NET/DEF/CRS/EPSG/")
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			return CRS{}, &UnsupportedCRSError{CRS: s}
		}
		code = rest[i+1:]
	case strings.HasPrefix(t, "EPSG:"):
		code = strings.TrimPrefix(t, "EPSG:")
	default:
		code = t
	}
	n, err := strconv.Atoi(code)
	if err != nil || code == "" || code[0] == '+' || code[0] == '-' {
		return CRS{}, &UnsupportedCRSError{CRS: s}
	}
	c, ok := crsFromEPSG(n)
	if !ok {
		return CRS{}, &UnsupportedCRSError{CRS: s}
	}
	return c, nil
}

// crsFromEPSG returns the CRS for a supported EPSG code.
func crsFromEPSG(code int) (CRS, bool) {
	switch {
	case code == 4326:
		return WGS84, true
	case code == 4490:
		return cgcs2000, true
	case code >= epsgZonedFirst && code <= epsgZonedLast:
		zone := 25 + code - epsgZonedFirst
		return CRS{
			EPSG:            code,
			Name:            fmt.Sprintf("EPSG:%d CGCS2000 / 3-degree Gauss-Kruger zone %d", code, zone),
			CentralMeridian: float64(3 * zone),
			FalseEasting:    float64(zone)*1e6 + 500000,
		}, true
	case code >= epsgCMFirst && code <= epsgCMLast:
		cm := 75 + 3*(code-epsgCMFirst)
		return CRS{
			EPSG:            code,
			Name:            fmt.Sprintf("EPSG:%d CGCS2000 / 3-degree Gauss-Kruger CM %dE", code, cm),
			CentralMeridian: float64(cm),
			FalseEasting:    500000,
		}, true
	}
	return CRS{}, false
}

// TransverseMercator returns a local metric projection: transverse Mercator
// on the GRS80 ellipsoid with the given central meridian (degrees), scale 1,
// false easting 0 and false northing 0. Its EPSG code is 0. It serves to
// buffer and measure lines in metres near the central meridian.
func TransverseMercator(centralMeridian float64) CRS {
	cm := strconv.FormatFloat(centralMeridian, 'f', -1, 64)
	return CRS{
		Name:            "+proj=tmerc +lon_0=" + cm + " +k=1 +x_0=0 +y_0=0 +ellps=GRS80",
		CentralMeridian: centralMeridian,
	}
}

// String returns "EPSG:<code>", or the PROJ string of a custom transverse
// Mercator.
func (c CRS) String() string {
	if c.EPSG != 0 {
		return "EPSG:" + strconv.Itoa(c.EPSG)
	}
	return c.Name
}

// LooksProjected reports whether a coordinate declared as lon/lat degrees is
// so far outside lon [-180, 180] / lat [-90, 90] that it must be metres
// (|x| > 360 or |y| > 180), as with a projected file that lacks or misstates
// its "crs" member.
func LooksProjected(x, y float64) bool {
	return math.Abs(x) > 360 || math.Abs(y) > 180
}

// Transverse Mercator
//
// The projected systems use the Krüger n-series to sixth order in the third
// flattening n, as given by Karney (2011), "Transverse Mercator with an
// accuracy of a few nanometers", J. Geodesy 85(8), 475–485, eqs. (9)–(11),
// (35)–(36). This is the algorithm of PROJ's tmerc (poder_engsager, the
// default for EPSG:4513–4554) and of GeographicLib's TransverseMercator:
//
//   - forward: geodetic latitude φ → conformal latitude via
//     τ' = τ√(1+σ²) − σ√(1+τ²), τ = tan φ, σ = sinh(e·atanh(e·sin φ)); then
//     the spherical transverse Mercator ζ' = ξ' + iη' with
//     ξ' = atan2(τ', cos λ), η' = asinh(sin λ / √(τ'² + cos² λ)); then
//     ζ = ζ' + Σ αⱼ sin(2jζ'), evaluated as one complex Clenshaw sum;
//     x = FE + k₀·A·η, y = k₀·A·ξ with A the rectifying radius.
//   - inverse: ζ' = ζ − Σ βⱼ sin(2jζ), then the conformal latitude
//     χ = atan2(sin ξ', √(sinh² η' + cos² ξ')), λ = atan2(sinh η', cos ξ'),
//     and φ = χ + Σ cⱼ sin(2jχ), with cⱼ taken once from the exact inverse
//     of the conformal latitude (Newton's method) by Fourier sums.
//
// The truncation error is below 5 nm within 3900 km of the central meridian
// (Karney 2011, fig. 2), so inside a 3-degree zone (±1.5°, about 150 km) the
// projection is exact to well under a millimetre; float64 rounding adds
// about 1 nm. The forward and inverse series are inverses to O(n⁷), so a
// round trip returns lon/lat to about 1e-12 degrees. Tests compare with
// PROJ 9.1.1 at the micrometre level.

// GRS80 ellipsoid (CGCS2000 uses GRS80's a and 1/f).
const (
	grs80A = 6378137.0
	grs80F = 1 / 298.257222101
)

// tmGRS80 holds the ellipsoid constants of the transverse Mercator.
var tmGRS80 = newTMConstants(grs80A, grs80F)

type tmConstants struct {
	e     float64    // first eccentricity
	e2m   float64    // 1 - e²
	a1    float64    // rectifying radius A (k₀ = 1)
	alpha [7]float64 // αⱼ, j = 1..6, index 0 unused
	beta  [7]float64 // βⱼ, j = 1..6, index 0 unused
	// chi holds cⱼ of φ = χ + Σ cⱼ sin(2jχ), geodetic from conformal
	// latitude; index 0 unused.
	chi [conformalTerms + 1]float64
}

// conformalTerms is the length of the conformal-to-geodetic latitude
// series: cⱼ shrinks like nʲ (n ≈ 0.0017), so c₈ is far below float64
// resolution.
const conformalTerms = 8

func newTMConstants(a, f float64) tmConstants {
	n := f / (2 - f)
	n2 := n * n
	n3 := n2 * n
	n4, n5, n6 := n2*n2, n2*n3, n3*n3
	var c tmConstants
	c.e = math.Sqrt(f * (2 - f))
	c.e2m = 1 - c.e*c.e
	c.a1 = a / (1 + n) * (1 + n2/4 + n4/64 + n6/256)
	// Karney (2011), eq. (35).
	c.alpha[1] = n/2 - 2*n2/3 + 5*n3/16 + 41*n4/180 - 127*n5/288 + 7891*n6/37800
	c.alpha[2] = 13*n2/48 - 3*n3/5 + 557*n4/1440 + 281*n5/630 - 1983433*n6/1935360
	c.alpha[3] = 61*n3/240 - 103*n4/140 + 15061*n5/26880 + 167603*n6/181440
	c.alpha[4] = 49561*n4/161280 - 179*n5/168 + 6601661*n6/7257600
	c.alpha[5] = 34729*n5/80640 - 3418889*n6/1995840
	c.alpha[6] = 212378941 * n6 / 319334400
	// Karney (2011), eq. (36).
	c.beta[1] = n/2 - 2*n2/3 + 37*n3/96 - n4/360 - 81*n5/512 + 96199*n6/604800
	c.beta[2] = n2/48 + n3/15 - 437*n4/1440 + 46*n5/105 - 1118711*n6/3870720
	c.beta[3] = 17*n3/480 - 37*n4/840 - 209*n5/4480 + 5569*n6/90720
	c.beta[4] = 4397*n4/161280 - 11*n5/504 - 830251*n6/7257600
	c.beta[5] = 4583*n5/161280 - 108847*n6/3991680
	c.beta[6] = 20648693 * n6 / 638668800
	c.chi = c.conformalSeries()
	return c
}

// conformalSeries returns the sine coefficients of φ(χ) − χ, the geodetic
// minus the conformal latitude, as a function of χ. The function is odd
// and of period π, so the coefficients are its discrete Fourier sums over
// one period, taken from the exact inverse (tauf, Newton's method) at 64
// midpoints: for a smooth periodic function the sums are exact to rounding
// once the points outnumber the terms that matter. Evaluating the series
// then costs one sincos per point instead of Newton's iterations.
func (c *tmConstants) conformalSeries() [conformalTerms + 1]float64 {
	const points = 64
	var out [conformalTerms + 1]float64
	for j := 0; j < points; j++ {
		chi := math.Pi * ((float64(j)+0.5)/points - 0.5)
		d := math.Atan(c.tauf(math.Tan(chi))) - chi
		for k := 1; k <= conformalTerms; k++ {
			out[k] += d * math.Sin(2*float64(k)*chi) * 2 / points
		}
	}
	return out
}

// geodeticLatitude returns φ in radians for the conformal latitude χ.
func (c *tmConstants) geodeticLatitude(chi float64) float64 {
	// Clenshaw summation of Σ cⱼ sin(2jχ).
	s, co := math.Sincos(2 * chi)
	ar := 2 * co
	var b1, b2 float64
	for j := conformalTerms; j >= 1; j-- {
		b1, b2 = ar*b1-b2+c.chi[j], b1
	}
	return chi + s*b1
}

// sinSeries returns Σ_{j=1..6} c[j]·sin(2jz) by Clenshaw summation.
func sinSeries(c *[7]float64, z complex128) complex128 {
	// sin 2z and cos 2z share their four real functions; computed once,
	// they are what cmplx.Sin and cmplx.Cos would return.
	sr, cr := math.Sincos(2 * real(z))
	sh, ch := sinhCosh(2 * imag(z))
	s, co := complex(sr*ch, cr*sh), complex(cr*ch, -sr*sh)
	ar := 2 * co
	var y0, y1 complex128
	for j := 6; j >= 1; j-- {
		y0, y1 = ar*y0-y1+complex(c[j], 0), y0
	}
	return s * y0
}

// sinhCosh is sinh and cosh of x as math/cmplx computes them.
func sinhCosh(x float64) (sh, ch float64) {
	if math.Abs(x) <= 0.5 {
		return math.Sinh(x), math.Cosh(x)
	}
	e := math.Exp(x)
	ei := 0.5 / e
	e *= 0.5
	return e - ei, e + ei
}

// eatanhe returns e·atanh(e·x).
func (c *tmConstants) eatanhe(x float64) float64 {
	return c.e * math.Atanh(c.e*x)
}

// taupf returns tan of the conformal latitude for tau = tan φ.
func (c *tmConstants) taupf(tau float64) float64 {
	tau1 := math.Hypot(1, tau)
	sig := math.Sinh(c.eatanhe(tau / tau1))
	return math.Hypot(1, sig)*tau - sig*tau1
}

// tauf inverts taupf by Newton's method (Karney 2011, eqs. (19)–(21)).
func (c *tmConstants) tauf(taup float64) float64 {
	const tol = 1.4901161193847656e-09 // sqrt(machine epsilon) / 10
	tau := taup / c.e2m
	if math.Abs(taup) > 70 {
		tau = taup * math.Exp(c.eatanhe(1))
	}
	stol := tol * math.Max(1, math.Abs(taup))
	for i := 0; i < 5; i++ {
		taupa := c.taupf(tau)
		dtau := (taup - taupa) * (1 + c.e2m*tau*tau) /
			(c.e2m * math.Hypot(1, tau) * math.Hypot(1, taupa))
		tau += dtau
		if !(math.Abs(dtau) >= stol) {
			break
		}
	}
	return tau
}

// forward projects lon/lat (degrees) relative to central meridian lon0 to
// easting/northing in metres with false easting and northing 0.
func (c *tmConstants) forward(lon0, lon, lat float64) (x, y float64) {
	lam := math.Remainder(lon-lon0, 360) * (math.Pi / 180)
	sphi, cphi := math.Sincos(lat * (math.Pi / 180))
	slam, clam := math.Sincos(lam)
	taup := c.taupf(sphi / cphi)
	xip := math.Atan2(taup, clam)
	etap := math.Asinh(slam / math.Hypot(taup, clam))
	zp := complex(xip, etap)
	z := zp + sinSeries(&c.alpha, zp)
	return c.a1 * imag(z), c.a1 * real(z)
}

// inverse is the inverse of forward.
func (c *tmConstants) inverse(lon0, x, y float64) (lon, lat float64) {
	z := complex(y/c.a1, x/c.a1)
	zp := z - sinSeries(&c.beta, z)
	xip, etap := real(zp), imag(zp)
	sxip, cxip := math.Sincos(xip)
	shetap := math.Sinh(etap)
	chi := math.Atan2(sxip, math.Hypot(shetap, cxip)) // conformal latitude
	lam := math.Atan2(shetap, cxip)
	lat = c.geodeticLatitude(chi) * (180 / math.Pi)
	lon = lon0 + lam*(180/math.Pi)
	if !(lon >= -180 && lon <= 180) {
		// Remainder is the identity inside [-180, 180], where every
		// zone of a supported system lies; only wrap what leaves it.
		lon = math.Remainder(lon, 360)
	}
	return lon, lat
}

// ToLonLat converts a coordinate of c to WGS84 lon/lat degrees. It is the
// identity for geographic systems.
func (c CRS) ToLonLat(x, y float64) (lon, lat float64) {
	if c.Geographic {
		return x, y
	}
	if c.Shift != NoShift {
		return c.Shift.ToWGS84(x, y)
	}
	return tmGRS80.inverse(c.CentralMeridian, x-c.FalseEasting, y)
}

// FromLonLat converts WGS84 lon/lat degrees to a coordinate of c. It is the
// identity for geographic systems.
func (c CRS) FromLonLat(lon, lat float64) (x, y float64) {
	if c.Geographic {
		return lon, lat
	}
	if c.Shift != NoShift {
		return c.Shift.FromWGS84(lon, lat)
	}
	x, y = tmGRS80.forward(c.CentralMeridian, lon, lat)
	return x + c.FalseEasting, y
}
