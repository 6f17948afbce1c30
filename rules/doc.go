package rules

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Doc is a rule's documentation, in fields as staticcheck documents its
// checks: `plancheck explain`, the SARIF rule descriptors and report.html
// render it, each in its own way. A rules file gives it as a mapping under
// doc: (keys title, detects, why, fix, title_zh, text_zh), or, as before,
// as one text: the title line, a blank line, what the rule detects, why it
// matters, a line "Fix: …", and a paragraph in Chinese (see ParseDoc).
type Doc struct {
	// Title is lowercase, has no period and at most ~60 characters; it is
	// the rule's one-line description in every report.
	Title string `yaml:"title"`
	// Detects says what the rule reports, and what a finding's geometry
	// and area are.
	Detects string `yaml:"detects"`
	// Why says why it matters to the plans.
	Why string `yaml:"why"`
	// Fix says how a finding is resolved.
	Fix string `yaml:"fix"`
	// TitleZH (标题) and TextZH (说明) are the Chinese title and text.
	TitleZH string `yaml:"title_zh"`
	TextZH  string `yaml:"text_zh"`
}

// maxTitleRunes bounds a title: it is a column of report tables.
const maxTitleRunes = 72

// check reports what a rule's doc lacks: a short lowercase title without a
// period, and what the rule detects.
func (d Doc) check() error {
	title := d.Title
	switch {
	case d == (Doc{}):
		return errors.New("has no doc")
	case strings.TrimSpace(title) == "":
		return errors.New("doc has no title")
	case strings.Contains(title, "\n"):
		return fmt.Errorf("title %q must be one line", title)
	}
	first, _ := utf8.DecodeRuneInString(title)
	if utf8.RuneCountInString(title) > maxTitleRunes || strings.HasSuffix(title, ".") || unicode.IsUpper(first) {
		return fmt.Errorf("title %q must be lowercase, short and without a period", title)
	}
	if strings.TrimSpace(d.Detects) == "" {
		return errors.New("doc says nothing after its title: give detects (or, in one text, a blank line after the title and then what the rule detects)")
	}
	return nil
}

// ParseDoc reads a doc written as one text, the form of rules files before
// docs had fields (and of review.Rules): the first line is the title;
// after a blank line, the first line says what the rule detects, a line
// starting "Fix:" how to fix it, and other lines why it matters; a later
// paragraph holding Chinese text is the 说明. A paragraph of text without
// a blank line before it counts as what the rule detects.
func ParseDoc(s string) Doc {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	title, body, _ := strings.Cut(s, "\n")
	d := Doc{Title: strings.TrimSpace(title)}
	body = strings.TrimLeft(body, " \t")
	if !strings.HasPrefix(body, "\n") {
		// No blank line after the title: the rest is no doc body.
		if strings.TrimSpace(body) != "" {
			d.Title = s
		}
		return d
	}
	var detects, why, fix, zh []string
	for _, para := range strings.Split(strings.TrimSpace(body), "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		if len(detects) > 0 && isChinese(para) {
			zh = append(zh, para)
			continue
		}
		for _, line := range strings.Split(para, "\n") {
			line = strings.TrimSpace(line)
			switch {
			case line == "":
			case strings.HasPrefix(line, "Fix:"):
				fix = append(fix, strings.TrimSpace(strings.TrimPrefix(line, "Fix:")))
			case len(detects) == 0:
				detects = append(detects, line)
			default:
				why = append(why, line)
			}
		}
	}
	d.Detects = strings.Join(detects, "\n")
	d.Why = strings.Join(why, "\n")
	d.Fix = strings.Join(fix, "\n")
	if r, n := utf8.DecodeRuneInString(d.Fix); n > 0 {
		d.Fix = string(unicode.ToUpper(r)) + d.Fix[n:]
	}
	d.TextZH = strings.Join(zh, "\n\n")
	return d
}

// isChinese: a paragraph that starts with a Han character.
func isChinese(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.Is(unicode.Han, r)
}

// UnmarshalYAML reads doc: as a mapping of its fields or as one text.
func (d *Doc) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		var s string
		if err := n.Decode(&s); err != nil {
			return err
		}
		*d = ParseDoc(s)
		return nil
	}
	type plain Doc // without this method
	var p plain
	if err := n.Decode(&p); err != nil {
		return err
	}
	*d = Doc(p)
	d.trim()
	return nil
}

func (d *Doc) trim() {
	for _, s := range []*string{&d.Title, &d.Detects, &d.Why, &d.Fix, &d.TitleZH, &d.TextZH} {
		*s = strings.TrimSpace(*s)
	}
}

// Section is one part of a rendered doc: a heading and its text.
type Section struct {
	Heading string
	Text    string
}

// Sections are the parts of a rule's doc after its title, in the order
// explain prints them: what it detects, why it matters, how to fix it,
// the Chinese text and the settings it reads. Empty parts are left out.
func (d Doc) Sections(settings []Setting) []Section {
	var out []Section
	add := func(h, t string) {
		if strings.TrimSpace(t) != "" {
			out = append(out, Section{h, t})
		}
	}
	add("Detects", d.Detects)
	add("Why it matters", d.Why)
	add("Fix", d.Fix)
	add("说明", d.TextZH)
	if len(settings) > 0 {
		lines := make([]string, len(settings))
		for i, s := range settings {
			lines[i] = s.Line()
		}
		add("Settings (settings: in plancheck.yaml)", strings.Join(lines, "\n"))
	}
	return out
}

// Text renders the doc as plain text, as explain prints it after the
// rule's name and as SARIF gives it: the title, the Chinese title, then
// each section under its heading.
func (d Doc) Text(settings []Setting) string {
	var b strings.Builder
	b.WriteString(d.Title)
	if d.TitleZH != "" {
		b.WriteString("\n" + d.TitleZH)
	}
	for _, s := range d.Sections(settings) {
		b.WriteString("\n\n" + s.Heading + "\n" + s.Text)
	}
	return b.String()
}
