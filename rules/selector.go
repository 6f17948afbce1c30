package rules

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/plancheck/plancheck/planning"
)

// Geometry roles a selector can ask for.
const (
	RoleAny      = ""         // every feature; lines take part as corridors
	RolePolygon  = "polygon"  // polygon features (facilities, zones, parcels)
	RoleCorridor = "corridor" // lines, buffered by width_m/2
	RolePoint    = "point"    // points (stations)
)

// Selector picks features: by layer level or name, by category or code
// glob, minus exceptions. An empty field matches everything.
type Selector struct {
	Level          planning.Level `yaml:"level"`
	Layer          string         `yaml:"layer"` // layer name or glob
	Category       []string       `yaml:"category"`
	Code           []string       `yaml:"code"`
	ExceptCategory []string       `yaml:"except_category"`
	ExceptCode     []string       `yaml:"except_code"`
	Geometry       string         `yaml:"geometry"`
}

// CategoryNames maps the words a rules file uses to category flags.
var CategoryNames = map[string]planning.Category{
	"construction":   planning.CategoryConstruction,
	"green-space":    planning.CategoryGreenSpace,
	"urban-built":    planning.CategoryUrbanBuilt,
	"basic-farmland": planning.CategoryBasicFarmland,
	"prohibited":     planning.CategoryProhibited,
	"restricted":     planning.CategoryRestricted,
	"controlled":     planning.CategoryControlled,
	"line":           planning.CategoryLine,
	"facility":       planning.CategoryFacility,

	"development-boundary": planning.CategoryDevelopmentBoundary,
	"permanent-farmland":   planning.CategoryPermanentFarmland,
	"ecological-redline":   planning.CategoryEcologicalRedline,
}

// categoryList names the categories a rules file may use, sorted.
func categoryList() string {
	names := make([]string, 0, len(CategoryNames))
	for n := range CategoryNames {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

func (s *Selector) check() error {
	if s.Level != "" {
		if _, err := planning.ParseLevel(string(s.Level)); err != nil {
			return err
		}
	}
	for _, c := range append(append([]string{}, s.Category...), s.ExceptCategory...) {
		if _, ok := CategoryNames[c]; !ok {
			return fmt.Errorf("unknown category %q (want one of %s)", c, categoryList())
		}
	}
	for _, g := range append(append([]string{}, s.Code...), s.ExceptCode...) {
		if _, err := path.Match(g, ""); err != nil {
			return fmt.Errorf("bad code pattern %q: %v", g, err)
		}
	}
	if s.Layer != "" {
		if _, err := path.Match(s.Layer, ""); err != nil {
			return fmt.Errorf("bad layer pattern %q: %v", s.Layer, err)
		}
	}
	switch s.Geometry {
	case RoleAny, RolePolygon, RoleCorridor, RolePoint:
	default:
		return fmt.Errorf("unknown geometry %q (want polygon, corridor or point)", s.Geometry)
	}
	return nil
}

func (s *Selector) matchLayer(l *planning.Layer) bool {
	if s.Level != "" && l.Level != s.Level {
		return false
	}
	if s.Layer != "" {
		if ok, _ := path.Match(s.Layer, l.Name); !ok {
			return false
		}
	}
	return true
}

// matchFeature applies the class and geometry parts of the selector.
// Features without a valid geometry never match.
func (s *Selector) matchFeature(f *planning.Feature) bool {
	if f.Invalid || f.Geometry == nil {
		return false
	}
	switch s.Geometry {
	case RolePolygon:
		if !f.IsPolygon() {
			return false
		}
	case RoleCorridor:
		if !f.IsLine() || f.WidthM <= 0 {
			return false
		}
	case RolePoint:
		if f.IsLine() || f.IsPolygon() {
			return false
		}
	default:
		if !f.IsPolygon() && !(f.IsLine() && f.WidthM > 0) {
			return false
		}
	}
	classBound := len(s.Category) > 0 || len(s.Code) > 0 || len(s.ExceptCategory) > 0 || len(s.ExceptCode) > 0
	if classBound && !f.HasClass {
		return false
	}
	for _, c := range s.Category {
		if !f.Class.Category.Has(CategoryNames[c]) {
			return false
		}
	}
	if len(s.Code) > 0 && !matchCode(s.Code, f.Class.Code) {
		return false
	}
	for _, c := range s.ExceptCategory {
		if f.Class.Category.Has(CategoryNames[c]) {
			return false
		}
	}
	if len(s.ExceptCode) > 0 && matchCode(s.ExceptCode, f.Class.Code) {
		return false
	}
	return true
}

func matchCode(globs []string, code string) bool {
	for _, g := range globs {
		if ok, _ := path.Match(strings.ToUpper(g), strings.ToUpper(code)); ok {
			return true
		}
	}
	return false
}

// selection is the features of one layer a selector picked.
type selection struct {
	layer    *planning.Layer
	features []int
}

func (p *Pass) selectAll(sels []Selector) []selection {
	var out []selection
	for _, l := range p.Set.Layers {
		var idx []int
		for i := range l.Features {
			for k := range sels {
				if sels[k].matchLayer(l) && sels[k].matchFeature(&l.Features[i]) {
					idx = append(idx, i)
					break
				}
			}
		}
		if len(idx) > 0 {
			out = append(out, selection{layer: l, features: idx})
		}
	}
	return out
}
