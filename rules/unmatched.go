package rules

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// SelectorUnmatched reports the selectors of a plan set's rules file that
// pick no feature of the set.
var SelectorUnmatched = &Rule{
	Name:     "selector-unmatched",
	Severity: Warning,
	Doc: Doc{
		Title:   `rules-file selector matches no feature of the set`,
		TitleZH: `规则文件选择器未匹配任何要素`,
		Detects: `Reports, once per selector (an entry under a: or b: of a rule in the plan set's own rules file), a selector that picks no feature of any layer: a misspelt layer glob (changsha-mastr), a code glob no class has (X*), a level the set has no layer of. The finding points at the selector's line. A rule with such a side finds nothing, and a check reads as clean where it never looked. The embedded default rules are not reported: they are written for every kind of set.`,
		Fix:     `Correct the selector, or remove it when the set rightly has no such features.`,
		TextZH:  `规则文件中的选择器未匹配到本规划集的任何要素（图层名、用地代码通配符拼写错误等），该规则因此查不出冲突，请更正选择器。`,
	},
	Run: func(ctx context.Context, pass *Pass) error {
		m := pass.Set.Manifest
		if m == nil || m.RulesPath == "" {
			return nil
		}
		data, err := os.ReadFile(m.RulesPath)
		if err != nil {
			return fmt.Errorf("reading the rules file: %w", err)
		}
		sels, err := selectorsOf(data)
		if err != nil {
			return fmt.Errorf("%s: %w", m.Rules, err)
		}
		for _, s := range sels {
			if err := ctx.Err(); err != nil {
				return err
			}
			if pass.selectsAny(&s.selector) {
				continue
			}
			pass.Report(Finding{
				Message:   fmt.Sprintf("rule %s: selector %s %s matches no feature of the plan set; the rule finds nothing on that side", s.rule, s.side, s.text),
				MessageZH: fmt.Sprintf("规则 %s 的选择器 %s %s 未匹配到任何要素", s.rule, s.side, s.text),
				Location:  Location{File: m.Rules, Line: s.line},
			})
		}
		return nil
	},
}

// selectsAny reports whether a selector picks at least one feature.
func (p *Pass) selectsAny(s *Selector) bool {
	for _, l := range p.Set.Layers {
		if !s.matchLayer(l) {
			continue
		}
		for i := range l.Features {
			if s.matchFeature(&l.Features[i]) {
				return true
			}
		}
	}
	return false
}

// placedSelector is a selector of a rules file with where it was written.
type placedSelector struct {
	selector Selector
	rule     string // the rule's name
	side     string // "a" or "b"
	text     string // the selector as written, on one line
	line     int
}

// selectorsOf lists the selectors of a rules file in file order.
func selectorsOf(data []byte) ([]placedSelector, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	var out []placedSelector
	if len(doc.Content) == 0 {
		return nil, nil
	}
	rulesNode := mappingValue(doc.Content[0], "rules")
	if rulesNode == nil || rulesNode.Kind != yaml.SequenceNode {
		return nil, nil
	}
	for _, r := range rulesNode.Content {
		name := ""
		if n := mappingValue(r, "name"); n != nil {
			name = n.Value
		}
		for _, side := range []string{"a", "b"} {
			list := mappingValue(r, side)
			if list == nil || list.Kind != yaml.SequenceNode {
				continue
			}
			for _, sn := range list.Content {
				var s Selector
				if err := sn.Decode(&s); err != nil {
					return nil, err
				}
				out = append(out, placedSelector{selector: s, rule: name, side: side, text: flowText(sn), line: sn.Line})
			}
		}
	}
	return out, nil
}

// mappingValue is the value of key in a mapping node, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// flowText writes a selector node on one line: {level: city-master, code: [X*]}.
func flowText(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		parts := make([]string, 0, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			parts = append(parts, n.Content[i].Value+": "+flowText(n.Content[i+1]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case yaml.SequenceNode:
		parts := make([]string, len(n.Content))
		for i, c := range n.Content {
			parts[i] = flowText(c)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return n.Value
}

// checkKeys walks a rules file against the keys its types accept (their
// yaml tags) and names the first unknown key with its line and the keys
// allowed there, where the YAML decoder would name a Go type.
func checkKeys(data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return nil // the decoder reports it
	}
	return keysOf(doc.Content[0], reflect.TypeOf(RulesFile{}), "at the top level")
}

// placeNames say where a struct's keys are, in messages.
var placeNames = map[reflect.Type]string{
	reflect.TypeOf(YAMLRule{}): "in a rule",
	reflect.TypeOf(Selector{}): "in a selector",
	reflect.TypeOf(Doc{}):      "in a doc",
}

func keysOf(n *yaml.Node, t reflect.Type, where string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice:
		if n.Kind == yaml.SequenceNode {
			for _, c := range n.Content {
				if err := keysOf(c, t.Elem(), where); err != nil {
					return err
				}
			}
		}
		return nil
	case reflect.Struct:
	default:
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	if w, ok := placeNames[t]; ok {
		where = w
	}
	fields := map[string]reflect.Type{}
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if tag == "" || tag == "-" {
			continue
		}
		fields[tag] = f.Type
		names = append(names, tag)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		ft, ok := fields[k.Value]
		if !ok {
			return fmt.Errorf("line %d: unknown key %q %s (want %s)", k.Line, k.Value, where, strings.Join(names, ", "))
		}
		if err := keysOf(v, ft, where); err != nil {
			return err
		}
	}
	return nil
}

var unmarshalRE = regexp.MustCompile("line (\\d+): cannot unmarshal !!(\\w+)(?: `([^`]*)`)? into (\\S+)")

// goTypeWords say in a rules file's words what a Go type of its structs
// holds.
var goTypeWords = map[string]string{
	"float64": "a number", "*float64": "a number", "string": "a single value", "bool": "true or false",
	"[]string": "a list of values", "[]rules.Selector": "a list of selectors", "rules.Selector": "a selector (a mapping such as {level: city-master})",
	"[]rules.YAMLRule": "a list of rules", "rules.YAMLRule": "a rule (a mapping with name, severity, doc, a, b, relation)",
	"planning.Level": "a level", "rules.RulesFile": "a mapping with disable and rules",
}

// decodeMessage turns the YAML decoder's type errors ("line 3: cannot
// unmarshal !!str `abc` into float64") into "3: abc is text, want a
// number", without Go type names.
func decodeMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	m := unmarshalRE.FindStringSubmatch(msg)
	if m == nil {
		return " " + msg
	}
	kinds := map[string]string{"str": "text", "int": "a number", "float": "a number", "bool": "true or false", "map": "a mapping", "seq": "a list", "null": "empty"}
	got := kinds[m[2]]
	if got == "" {
		got = m[2]
	}
	if m[3] != "" {
		got = fmt.Sprintf("%q is %s", m[3], got)
	} else {
		got = "a value is " + got
	}
	want := goTypeWords[m[4]]
	if want == "" {
		want = "another kind of value"
	}
	return fmt.Sprintf("%s: %s, want %s", m[1], got, want)
}
