package geo

import "math"

// GCJ-02 and BD-09 are the obfuscated lon/lat systems of Chinese web maps:
// GCJ-02 (国测局坐标, 火星坐标) is what 高德 (AMap), 腾讯 and Google's China
// tiles serve, BD-09 is Baidu's further offset of it. A layer traced over
// such a basemap is shifted by several hundred metres around 长株潭, and
// every overlap it takes part in is wrong. The forward formulas are the
// published ones (as in the widely used coordtransform libraries); there is
// no closed-form inverse, so WGS84 is recovered by fixed-point iteration,
// which converges to far below a millimetre in a few steps.

// Shift identifies an obfuscated lon/lat system.
type Shift int

const (
	NoShift Shift = iota
	ShiftGCJ02
	ShiftBD09
)

// Krasovsky 1940 ellipsoid constants of the GCJ-02 formulas.
const (
	gcjA  = 6378245.0
	gcjEE = 0.00669342162296594323
	// bdXPi is the BD-09 rotation constant, π·3000/180.
	bdXPi = math.Pi * 3000.0 / 180.0
)

// outOfChina reports whether GCJ-02 leaves a point unshifted: the
// formulas apply only inside mainland China's rough bounding box.
func outOfChina(lon, lat float64) bool {
	return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271
}

func gcjTransformLat(x, y float64) float64 {
	ret := -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	ret += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	ret += (20.0*math.Sin(y*math.Pi) + 40.0*math.Sin(y/3.0*math.Pi)) * 2.0 / 3.0
	ret += (160.0*math.Sin(y/12.0*math.Pi) + 320*math.Sin(y*math.Pi/30.0)) * 2.0 / 3.0
	return ret
}

func gcjTransformLon(x, y float64) float64 {
	ret := 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	ret += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	ret += (20.0*math.Sin(x*math.Pi) + 40.0*math.Sin(x/3.0*math.Pi)) * 2.0 / 3.0
	ret += (150.0*math.Sin(x/12.0*math.Pi) + 300.0*math.Sin(x/30.0*math.Pi)) * 2.0 / 3.0
	return ret
}

// WGS84ToGCJ02 obfuscates a WGS84 lon/lat into GCJ-02.
func WGS84ToGCJ02(lon, lat float64) (float64, float64) {
	if outOfChina(lon, lat) {
		return lon, lat
	}
	dLat := gcjTransformLat(lon-105.0, lat-35.0)
	dLon := gcjTransformLon(lon-105.0, lat-35.0)
	radLat := lat / 180.0 * math.Pi
	magic := math.Sin(radLat)
	magic = 1 - gcjEE*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLat = (dLat * 180.0) / ((gcjA * (1 - gcjEE)) / (magic * sqrtMagic) * math.Pi)
	dLon = (dLon * 180.0) / (gcjA / sqrtMagic * math.Cos(radLat) * math.Pi)
	return lon + dLon, lat + dLat
}

// GCJ02ToWGS84 recovers WGS84 from GCJ-02 by iterating the forward
// transform: the shift varies by well under 1e-6 of itself per metre, so
// each step gains about six digits.
func GCJ02ToWGS84(lon, lat float64) (float64, float64) {
	if outOfChina(lon, lat) {
		return lon, lat
	}
	wLon, wLat := lon, lat
	for range 10 {
		gLon, gLat := WGS84ToGCJ02(wLon, wLat)
		dLon, dLat := gLon-lon, gLat-lat
		wLon, wLat = wLon-dLon, wLat-dLat
		if math.Abs(dLon) < 1e-12 && math.Abs(dLat) < 1e-12 {
			break
		}
	}
	return wLon, wLat
}

// GCJ02ToBD09 applies Baidu's offset to a GCJ-02 lon/lat.
func GCJ02ToBD09(lon, lat float64) (float64, float64) {
	z := math.Sqrt(lon*lon+lat*lat) + 0.00002*math.Sin(lat*bdXPi)
	theta := math.Atan2(lat, lon) + 0.000003*math.Cos(lon*bdXPi)
	return z*math.Cos(theta) + 0.0065, z*math.Sin(theta) + 0.006
}

// BD09ToGCJ02 removes Baidu's offset by iterating GCJ02ToBD09 (the
// published one-step inverse is off by up to a metre).
func BD09ToGCJ02(lon, lat float64) (float64, float64) {
	x, y := lon-0.0065, lat-0.006
	z := math.Sqrt(x*x+y*y) - 0.00002*math.Sin(y*bdXPi)
	theta := math.Atan2(y, x) - 0.000003*math.Cos(x*bdXPi)
	gLon, gLat := z*math.Cos(theta), z*math.Sin(theta)
	for range 10 {
		bLon, bLat := GCJ02ToBD09(gLon, gLat)
		dLon, dLat := bLon-lon, bLat-lat
		gLon, gLat = gLon-dLon, gLat-dLat
		if math.Abs(dLon) < 1e-12 && math.Abs(dLat) < 1e-12 {
			break
		}
	}
	return gLon, gLat
}

// ToWGS84 converts a lon/lat of the shifted system to WGS84.
func (s Shift) ToWGS84(lon, lat float64) (float64, float64) {
	switch s {
	case ShiftGCJ02:
		return GCJ02ToWGS84(lon, lat)
	case ShiftBD09:
		return GCJ02ToWGS84(BD09ToGCJ02(lon, lat))
	}
	return lon, lat
}

// FromWGS84 converts a WGS84 lon/lat to the shifted system.
func (s Shift) FromWGS84(lon, lat float64) (float64, float64) {
	switch s {
	case ShiftGCJ02:
		return WGS84ToGCJ02(lon, lat)
	case ShiftBD09:
		return GCJ02ToBD09(WGS84ToGCJ02(lon, lat))
	}
	return lon, lat
}

// String names the system.
func (s Shift) String() string {
	switch s {
	case ShiftGCJ02:
		return "GCJ-02"
	case ShiftBD09:
		return "BD-09"
	}
	return "WGS84"
}
