package planning

import (
	"fmt"
	"strings"
)

// Level is the kind of plan a layer belongs to. It decides which class
// vocabulary applies and which geometry types the layer may hold.
type Level string

const (
	Regional       Level = "regional"
	GreenHeart     Level = "green-heart"
	CityMaster     Level = "city-master"
	LandUse        Level = "land-use"
	Infrastructure Level = "infrastructure"
	Boundary       Level = "boundary"
	// ControlLine is the three control lines of 国土空间规划 (三区三线):
	// 城镇开发边界, 永久基本农田, 生态保护红线.
	ControlLine Level = "control-line"
)

// Levels lists every level in a fixed order, for messages and docs.
var Levels = []Level{Regional, GreenHeart, CityMaster, LandUse, Infrastructure, Boundary, ControlLine}

// ParseLevel turns a manifest word into a Level.
func ParseLevel(s string) (Level, error) {
	for _, l := range Levels {
		if string(l) == s {
			return l, nil
		}
	}
	names := make([]string, len(Levels))
	for i, l := range Levels {
		names[i] = string(l)
	}
	return "", fmt.Errorf("planning: unknown level %q (want one of %s)", s, strings.Join(names, ", "))
}

// Category is a set of flags saying what a class means to the rules. Rules
// select by category, never by comparing code strings.
type Category uint32

const (
	// CategoryConstruction: city-master construction land (H*, R*, A*, B*,
	// M*, W*, S*, U*, G*) or a land-use construction zone (030, 040,
	// 城镇村建设用地区, 050, or the construction classes of the other tables).
	CategoryConstruction Category = 1 << iota
	// CategoryGreenSpace: city-master G* (绿地与广场用地), exempt from the
	// prohibited-zone rules.
	CategoryGreenSpace
	// CategoryUrbanBuilt: city-master R*, A*, B*, M*, W*, the classes the
	// green-heart restricted zone admits only with review.
	CategoryUrbanBuilt
	// CategoryBasicFarmland: land-use 010 基本农田保护区.
	CategoryBasicFarmland
	// CategoryProhibited: green-heart 禁止开发区 / 核心保护区, regional 禁止开发地区.
	CategoryProhibited
	// CategoryRestricted: green-heart 限制开发区, regional 限制开发地区.
	CategoryRestricted
	// CategoryControlled: green-heart 控制建设区 / 融合发展区.
	CategoryControlled
	// CategoryLine: an infrastructure class drawn as a corridor line
	// (road, rail, power, pipeline, water).
	CategoryLine
	// CategoryFacility: infrastructure facility.
	CategoryFacility
	// CategoryDevelopmentBoundary: control line 城镇开发边界 (CZKFBJ).
	CategoryDevelopmentBoundary
	// CategoryPermanentFarmland: control line 永久基本农田 (YJJBNT).
	CategoryPermanentFarmland
	// CategoryEcologicalRedline: control line 生态保护红线 (STBHHX).
	CategoryEcologicalRedline
)

// Has reports whether every flag of want is set.
func (c Category) Has(want Category) bool { return c&want == want }

// Class is one entry of a classification table, resolved from the code or
// name found in a feature's class property.
type Class struct {
	Table    string   // table name, e.g. "GB 50137-2011"
	Code     string   // canonical code, e.g. "R2", "010", "road"
	Name     string   // Chinese name, e.g. "二类居住用地"
	Category Category // what the rules make of it
	// DefaultWidthM is the corridor width of infrastructure line classes
	// when a feature gives none; 0 elsewhere.
	DefaultWidthM float64
}

// String gives the class as reviewers read it: code and name.
func (c Class) String() string {
	if c.Name == "" || c.Name == c.Code {
		return c.Code
	}
	return c.Code + " " + c.Name
}
