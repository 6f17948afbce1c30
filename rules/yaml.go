package rules

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/planning"
	"go.yaml.in/yaml/v3"
)

//go:embed default.yaml
var defaultRulesYAML []byte

// DefaultRulesYAML is the embedded default rules file, for `plancheck
// rules --yaml` and for bureaus to copy.
func DefaultRulesYAML() []byte { return bytes.Clone(defaultRulesYAML) }

// RulesFile is a parsed rules file.
type RulesFile struct {
	// Disable lists built-in Go rules to switch off.
	Disable []string   `yaml:"disable"`
	Rules   []YAMLRule `yaml:"rules"`
}

// YAMLRule is a rule written in a rules file.
type YAMLRule struct {
	Name      string     `yaml:"name"`
	Severity  string     `yaml:"severity"`
	Doc       Doc        `yaml:"doc"`
	Message   string     `yaml:"message"`
	MessageZH string     `yaml:"message_zh"`
	A         []Selector `yaml:"a"`
	B         []Selector `yaml:"b"`
	Relation  string     `yaml:"relation"`
	MinAreaM2 *float64   `yaml:"min_area_m2"`
	// DifferentClass keeps only pairs whose two features have different
	// class codes (三条控制线不交叉不重叠: a line may meet itself, not the
	// others); overlaps and within only.
	DifferentClass bool `yaml:"different_class"`
}

// Relations a rules file may use.
const (
	RelationOverlaps = "overlaps"
	RelationWithin   = "within"
	RelationOutside  = "outside"
)

// ParseRulesFile reads a rules file; unknown keys are errors with the line.
func ParseRulesFile(data []byte, name string) (*RulesFile, error) {
	if line, msg, bad := planning.NotUTF8Text(data); bad {
		return nil, fmt.Errorf("rules: %s:%d: %s", name, line, msg)
	}
	var probe yaml.Node
	if err := yaml.Unmarshal(data, &probe); err != nil {
		line, msg := planning.YAMLError(data, err)
		return nil, fmt.Errorf("rules: %s:%d: not valid YAML: %s", name, line, msg)
	}
	if err := checkKeys(data); err != nil {
		return nil, fmt.Errorf("rules: %s:%s", name, strings.TrimPrefix(err.Error(), "line "))
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var rf RulesFile
	if err := dec.Decode(&rf); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("rules: %s: empty rules file", name)
		}
		return nil, fmt.Errorf("rules: %s:%s", name, decodeMessage(err))
	}
	ruleAt, disableAt := itemLines(&probe, "rules"), itemLines(&probe, "disable")
	// at names the file and the line of list item i, as the manifest's
	// errors do.
	at := func(lines []int, i int) string {
		if i < len(lines) {
			return name + ":" + strconv.Itoa(lines[i])
		}
		return name
	}
	first := map[string]int{}
	for i := range rf.Rules {
		y := &rf.Rules[i]
		where := at(ruleAt, i)
		if err := y.check(); err != nil {
			return nil, fmt.Errorf("rules: %s: rule %d (%s): %w", where, i+1, y.Name, err)
		}
		// What Validate in LoadRules would refuse, said here with the
		// rule's number.
		if j, dup := first[y.Name]; dup {
			return nil, fmt.Errorf("rules: %s: rule %d (%s): duplicate name (first: rule %d)", where, i+1, y.Name, j)
		}
		first[y.Name] = i + 1
		if isInputRule(y.Name) {
			return nil, fmt.Errorf("rules: %s: rule %d (%s): duplicate name: an input check has it", where, i+1, y.Name)
		}
		if Lookup(goRules(), y.Name) != nil && !slices.Contains(rf.Disable, y.Name) {
			return nil, fmt.Errorf("rules: %s: rule %d (%s): duplicate name: a built-in rule has it (list it under disable: to replace it)", where, i+1, y.Name)
		}
		if r := Lookup(requiredOnly(), y.Name); r != nil {
			return nil, fmt.Errorf("rules: %s: rule %d (%s): duplicate name: built-in rules require a rule of that name (%s)", where, i+1, y.Name, r.Title())
		}
	}
	for i, d := range rf.Disable {
		if isInputRule(d) {
			return nil, fmt.Errorf("rules: %s: disable: %q is an input check, which always runs: check reports every feature it cannot use", at(disableAt, i), d)
		}
		if Lookup(goRules(), d) == nil {
			return nil, fmt.Errorf("rules: %s: disable: %q is not a built-in rule", at(disableAt, i), d)
		}
	}
	return &rf, nil
}

// itemLines gives the line of each item of the top-level list key in a
// parsed rules file (none when the key is absent or not a list).
func itemLines(doc *yaml.Node, key string) []int {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	top := doc.Content[0].Content
	for i := 0; i+1 < len(top); i += 2 {
		if top[i].Value != key || top[i+1].Kind != yaml.SequenceNode {
			continue
		}
		lines := make([]int, len(top[i+1].Content))
		for j, item := range top[i+1].Content {
			lines[j] = item.Line
		}
		return lines
	}
	return nil
}

func (y *YAMLRule) check() error {
	if y.Name == "" {
		return errors.New("no name")
	}
	if _, err := ParseSeverity(y.Severity); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "rules: "))
	}
	if y.Doc == (Doc{}) {
		return errors.New("no doc")
	}
	switch y.Relation {
	case RelationOverlaps, RelationWithin, RelationOutside:
	default:
		return fmt.Errorf("unknown relation %q (want overlaps, within or outside)", y.Relation)
	}
	if len(y.A) == 0 || len(y.B) == 0 {
		return errors.New("needs selectors on both sides (a and b)")
	}
	if y.DifferentClass && y.Relation == RelationOutside {
		return errors.New("different_class applies to pairs (overlaps, within), not to outside")
	}
	for _, s := range append(append([]Selector{}, y.A...), y.B...) {
		if err := s.check(); err != nil {
			return err
		}
	}
	if y.MinAreaM2 != nil && (!(*y.MinAreaM2 >= 0) || math.IsInf(*y.MinAreaM2, 1)) {
		// .inf would silently make the rule report nothing.
		return fmt.Errorf("min_area_m2 %v: want a finite number of m² >= 0", *y.MinAreaM2)
	}
	// Last, the doc rules of Validate (title, what it detects), so that
	// LoadRules accepts every file ParseRulesFile accepts.
	if err := Validate([]*Rule{y.Rule()}); err != nil {
		return errors.New(strings.TrimPrefix(strings.TrimPrefix(err.Error(), "rules: "), y.Name+": "))
	}
	return nil
}

// Rule turns the YAML rule into a runnable rule.
func (y YAMLRule) Rule() *Rule {
	sev, _ := ParseSeverity(y.Severity)
	r := &Rule{Name: y.Name, Doc: y.Doc, Severity: sev, Relation: y.Relation}
	r.Run = func(ctx context.Context, pass *Pass) error { return y.run(ctx, pass) }
	return r
}

func (y YAMLRule) minArea(pass *Pass) float64 {
	if y.MinAreaM2 != nil {
		return *y.MinAreaM2
	}
	return pass.Options.MinAreaM2
}

func (y YAMLRule) run(ctx context.Context, pass *Pass) error {
	as, bs := pass.selectAll(y.A), pass.selectAll(y.B)
	if len(as) == 0 || len(bs) == 0 {
		return nil
	}
	min := y.minArea(pass)
	switch y.Relation {
	case RelationOverlaps, RelationWithin:
		pairs, err := pass.overlaps(ctx, as, bs, min)
		if err != nil {
			return err
		}
		for _, o := range pairs {
			if y.DifferentClass && o.a.feature().Class.Code == o.b.feature().Class.Code {
				continue
			}
			if y.Relation == RelationWithin {
				sa, err := pass.footprint(o.a)
				if err != nil {
					return err
				}
				if geo.AreaM2(sa.Geometry)-o.areaM2 > min {
					continue
				}
			}
			pass.Report(y.finding(pass, o.a, &o.b, o.patch, o.areaM2))
		}
	case RelationOutside:
		return y.runOutside(ctx, pass, as, bs, min)
	}
	return nil
}

// differenceShapes is geo.Difference; tests replace it to make it fail.
var differenceShapes = geo.Difference

// runOutside reports, per a feature, the part of it outside every b
// feature.
func (y YAMLRule) runOutside(ctx context.Context, pass *Pass, as, bs []selection, min float64) error {
	var covers []*geo.Shape
	for _, bsel := range bs {
		for _, i := range bsel.features {
			s, err := pass.footprint(featureRef{bsel.layer, i})
			if err != nil {
				return err
			}
			covers = append(covers, s)
		}
	}
	for _, asel := range as {
		for _, i := range asel.features {
			if err := ctx.Err(); err != nil {
				return err
			}
			a := featureRef{asel.layer, i}
			sa, err := pass.footprint(a)
			if err != nil {
				return err
			}
			rest, err := differenceShapes(sa, covers)
			if err != nil {
				// Like a pair the overlay cannot take: a finding naming
				// the feature, and the check goes on.
				fa := a.feature()
				pass.Report(Finding{
					Layers:    []string{a.layer.Name},
					Features:  []string{fa.ID},
					Classes:   []string{fa.RawClass},
					Message:   fmt.Sprintf("the part of %s outside side b could not be computed (%v); %s did not check this feature — check its geometry", a, err, y.Name),
					MessageZH: fmt.Sprintf("%s 无法叠加分析（%v），本规则未检查该要素，请核查其几何", a, err),
					Location:  Location{File: a.layer.File, Line: fa.Line},
				})
				continue
			}
			if rest == nil {
				continue
			}
			if area := geo.AreaM2(rest); area >= min {
				pass.Report(y.finding(pass, a, nil, rest, area))
			}
		}
	}
	return nil
}

func (y YAMLRule) finding(pass *Pass, a featureRef, b *featureRef, patch orb.Geometry, area float64) Finding {
	fa := a.feature()
	f := Finding{
		Layers:   []string{a.layer.Name},
		Features: []string{fa.ID},
		Classes:  []string{fa.RawClass},
		AreaM2:   area,
		Location: Location{File: a.layer.File, Line: fa.Line},
	}
	repl := []string{"{a.layer}", a.layer.Name, "{a.id}", fa.ID, "{a.class}", classLabel(fa),
		"{area_m2}", formatM2(area),
		"{area_ha}", strconv.FormatFloat(math.Round(area/1e4*1e4)/1e4, 'f', 4, 64)}
	if b != nil {
		fb := b.feature()
		f.Layers = append(f.Layers, b.layer.Name)
		f.Features = append(f.Features, fb.ID)
		f.Classes = append(f.Classes, fb.RawClass)
		repl = append(repl, "{b.layer}", b.layer.Name, "{b.id}", fb.ID, "{b.class}", classLabel(fb))
	} else {
		repl = append(repl, "{b.layer}", "", "{b.id}", "", "{b.class}", "")
	}
	f.Geometry = patch
	f.Message = expandPlaceholders(y.Message, repl)
	f.MessageZH = expandPlaceholders(y.MessageZH, repl)
	if f.Message == "" {
		f.Message = fmt.Sprintf("%s: %s", y.Name, f.Subject())
	}
	if a.feature().IsLine() && b != nil {
		f.LengthM = pass.lengthInside(a, *b)
	}
	return f
}

// expandPlaceholders replaces, left to right, each occurrence of an old
// string of pairs (old, new, old, new, ...) in s, as strings.Replacer
// does; building a Replacer per finding cost more than the rule's own
// bookkeeping on city-scale runs.
func expandPlaceholders(s string, pairs []string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 32)
	for i := 0; i < len(s); {
		matched := false
		if s[i] == '{' {
			for k := 0; k+1 < len(pairs); k += 2 {
				if strings.HasPrefix(s[i:], pairs[k]) {
					b.WriteString(pairs[k+1])
					i += len(pairs[k])
					matched = true
					break
				}
			}
		}
		if !matched {
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String()
}

// LoadRules returns the rules a plan set runs: the built-in Go rules (minus
// those disabled) and the YAML rules of the given file, or of the embedded
// default file when path is "".
func LoadRules(path string) ([]*Rule, error) {
	data, name := defaultRulesYAML, "default.yaml"
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("rules: %w", err)
		}
		data, name = b, path
	}
	rf, err := ParseRulesFile(data, name)
	if err != nil {
		return nil, err
	}
	var out []*Rule
	// ParseRulesFile has refused a disable entry naming no built-in rule.
	for _, r := range goRules() {
		if !slices.Contains(rf.Disable, r.Name) {
			out = append(out, r)
		}
	}
	for _, y := range rf.Rules {
		out = append(out, y.Rule())
	}
	if err := Validate(out); err != nil {
		return nil, fmt.Errorf("rules: %s: %s", name, strings.TrimPrefix(err.Error(), "rules: "))
	}
	return out, nil
}

// requiredOnly lists the rules the built-in rules require that are not
// built-in rules themselves (cross-border-ends): a rules file may not
// take their names.
func requiredOnly() []*Rule {
	order, _ := runOrder(goRules())
	var out []*Rule
	for _, r := range order {
		if Lookup(goRules(), r.Name) == nil {
			out = append(out, r)
		}
	}
	return out
}

// All returns the default rule set: the built-in Go rules and the rules of
// the embedded default.yaml, in report order.
func All() []*Rule {
	rs, err := LoadRules("")
	if err != nil {
		// The embedded file is checked by tests; failing here is a build
		// defect, not an input error.
		panic(err)
	}
	return rs
}

// classLabel is a feature's class as written in messages: the resolved
// class ("R2 二类居住用地") or the raw value.
func classLabel(f *planning.Feature) string {
	if f.HasClass {
		return f.Class.String()
	}
	return f.RawClass
}
