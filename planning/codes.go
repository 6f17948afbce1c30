package planning

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/plancheck/plancheck/geo"
	"golang.org/x/text/width"
)

// The classification tables are data: one CSV file per table under
// tables/, each opening with a comment that names the standard and the
// source. tableSpecs says which level each file serves and how its codes
// are written; the files are parsed once, on first use.
//
//go:embed tables/*.csv
var tableFiles embed.FS

// tableSpec describes one classification table.
type tableSpec struct {
	level Level
	// name is the canonical table name, copied to Class.Table and
	// accepted as a manifest `classification:`.
	name string
	// aliases are further accepted `classification:` names.
	aliases []string
	// file is the data file under tables/; "" means an open vocabulary in
	// which any non-empty value is its own class (boundary).
	file string
	// digits, when set, is the width of the table's numeric codes: an
	// all-digit value shorter than it is left-padded with zeros, so "10"
	// finds 010. Numeric database fields drop the leading zeros.
	digits int
	// subDigits, when set, is the length of all-digit subclass codes that
	// resolve to their first-level class (the first digits digits) when they
	// are not classes of the table themselves.
	subDigits int
}

// tableSpecs lists every table. The first table of a level is its default,
// used when the manifest names no classification.
var tableSpecs = []tableSpec{
	{level: CityMaster, name: "GB 50137-2011", file: "gb50137-2011.csv"},
	{level: LandUse, name: "TD/T 1024-2010 土地用途区", file: "tdt1024-2010-land-use-zones.csv", digits: 3},
	{
		level:   LandUse,
		name:    "建设用地管制区",
		aliases: []string{"construction-control"},
		file:    "tdt1024-2010-construction-control.csv",
		digits:  3,
	},
	{
		level:   LandUse,
		name:    "用地用海",
		aliases: []string{"用地用海2023", "territorial-2023"},
		file:    "territorial-2023.csv",
		digits:  2,
		// Accommodation: the table holds only the 24 first-level classes,
		// but survey data is coded at the second level ("0701" 城镇住宅用地).
		// Such a code is accepted as its first-level class (07 居住用地) and
		// keeps its own code, without checking that the second-level class
		// exists. Third-level (six-digit) codes are not accepted.
		subDigits: 4,
	},
	{level: GreenHeart, name: "长株潭生态绿心", file: "green-heart.csv"},
	{level: Regional, name: "长株潭城市群区域规划 空间管制", file: "regional-spatial-control.csv"},
	{level: Infrastructure, name: "infrastructure", file: "infrastructure.csv"},
	{level: Boundary, name: "boundary"},
	{level: ControlLine, name: "三区三线", aliases: []string{"control-lines"}, file: "control-line.csv"},
}

// UnknownClassError reports a class value that the table of its level does
// not hold, or an empty one.
type UnknownClassError struct {
	Level Level
	Table string // canonical table name, e.g. "GB 50137-2011"
	Value string // the value looked up, trimmed
	// Suggestion is the nearest known code or name, "" if there is none
	// (for an empty value).
	Suggestion string
	// FullWidth: the value is written in full-width characters (Ｍ１) and
	// Suggestion is the class it names in half-width ones (M1).
	FullWidth bool
}

func (e *UnknownClassError) Error() string {
	return "planning: " + e.Text().Message
}

// Text says what Error says (without the package prefix) in English and
// Chinese, for the attribute-invalid finding.
func (e *UnknownClassError) Text() geo.Text {
	table := geo.Text{}
	if e.Table != "" && e.Table != string(e.Level) {
		table = geo.Textf(" (%s)", "（%s）", e.Table)
	}
	if e.Value == "" {
		return geo.Textf("empty %s class%s", "%s 用地分类为空%s", e.Level, table)
	}
	msg := geo.Textf("unknown %s class %q%s", "未知的 %s 分类 %q%s", e.Level, e.Value, table)
	if e.Suggestion != "" {
		msg = geo.Textf("%s; did you mean %q?", "%s；是否应为 %q？", msg, e.Suggestion)
	}
	if e.FullWidth {
		msg = geo.Textf("%s (it is written in full-width characters; codes use half-width ones)", "%s（该值用全角字符书写；代码应使用半角字符）", msg)
	}
	return msg
}

// UnknownTableError reports a `classification:` name that no table of the
// level answers to.
type UnknownTableError struct {
	Level Level
	Table string
}

func (e *UnknownTableError) Error() string {
	known := KnownTables(e.Level)
	quoted := make([]string, len(known))
	for i, k := range known {
		quoted[i] = strconv.Quote(k)
	}
	return fmt.Sprintf("planning: unknown %s classification %q (want one of %s)", e.Level, e.Table, strings.Join(quoted, ", "))
}

// LookupClass resolves the class property of a feature of the given level.
//
// table selects the vocabulary by a name from KnownTables; "" selects the
// level's default (for land-use layers TD/T 1024-2010 土地用途区). raw may
// be a code, a Chinese name or an alias; surrounding spaces are ignored and
// codes are case-insensitive ("r2" is R2). Numeric land-use codes may drop
// their leading zeros ("10" is 010). The result always carries the
// canonical code: LookupClass(LandUse, "", "基本农田保护区") has Code "010".
//
// An empty or unknown value gives an *UnknownClassError suggesting the
// nearest code or name. A name shared by several classes (GB 50137-2011
// uses 住宅用地 under R1, R2 and R3) resolves to none of them; the error
// then suggests the first one's code. An unknown table gives an
// *UnknownTableError.
//
// For boundary layers any non-empty value is accepted as its own class
// (Code and Name are the trimmed value): boundary features are identified
// by name, not by class.
func LookupClass(level Level, table string, raw string) (Class, error) {
	spec, err := findSpec(level, table)
	if err != nil {
		return Class{}, err
	}
	value := strings.TrimSpace(raw)
	if value == "" {
		return Class{}, &UnknownClassError{Level: level, Table: spec.name}
	}
	if spec.file == "" {
		return Class{Table: spec.name, Code: value, Name: value}, nil
	}
	tables, err := loadTables()
	if err != nil {
		return Class{}, err
	}
	t := tables[spec.name]
	if c, ok := t.lookup(value); ok {
		return c, nil
	}
	// Full-width letters and digits (Ｍ１, typed with a Chinese input
	// method) are not the code, but say which code they mean.
	if narrow := strings.TrimSpace(width.Narrow.String(value)); narrow != value {
		if c, ok := t.lookup(narrow); ok {
			return Class{}, &UnknownClassError{Level: level, Table: spec.name, Value: value, Suggestion: c.Code, FullWidth: true}
		}
	}
	return Class{}, &UnknownClassError{Level: level, Table: spec.name, Value: value, Suggestion: t.suggest(value)}
}

// KnownTables returns the accepted `classification:` names for a level,
// default table first, each table's canonical name before its aliases. It
// returns nil for a level that is not known.
func KnownTables(level Level) []string {
	var names []string
	for _, s := range tableSpecs {
		if s.level == level {
			names = append(names, s.name)
			names = append(names, s.aliases...)
		}
	}
	return names
}

// ValidTable reports whether table is accepted for level ("" always is).
// Names compare case-insensitively, ignoring surrounding spaces.
func ValidTable(level Level, table string) bool {
	if strings.TrimSpace(table) == "" {
		return true
	}
	_, err := findSpec(level, table)
	return err == nil
}

// findSpec returns the table a manifest's level and classification select.
func findSpec(level Level, table string) (*tableSpec, error) {
	table = strings.TrimSpace(table)
	var def *tableSpec
	for i := range tableSpecs {
		s := &tableSpecs[i]
		if s.level != level {
			continue
		}
		if def == nil {
			def = s
		}
		if table == "" {
			continue
		}
		if strings.EqualFold(s.name, table) {
			return s, nil
		}
		for _, a := range s.aliases {
			if strings.EqualFold(a, table) {
				return s, nil
			}
		}
	}
	switch {
	case def == nil:
		return nil, fmt.Errorf("planning: unknown level %q", level)
	case table == "":
		return def, nil
	}
	return nil, &UnknownTableError{Level: level, Table: table}
}

// loadTables parses every table file once. A parse error is a bug in the
// embedded data; TestTablesLoad catches it before release.
var loadTables = sync.OnceValues(func() (map[string]*classTable, error) {
	tables := make(map[string]*classTable)
	for i := range tableSpecs {
		s := &tableSpecs[i]
		if s.file == "" {
			continue
		}
		data, err := tableFiles.ReadFile("tables/" + s.file)
		if err != nil {
			return nil, fmt.Errorf("planning: classification table %q: %w", s.name, err)
		}
		t, err := parseTable(s, data)
		if err != nil {
			return nil, err
		}
		tables[s.name] = t
	}
	return tables, nil
})

// classTable is a parsed table.
type classTable struct {
	spec    *tableSpec
	classes []Class
	// index maps the key of every code, alias and unambiguous name to its
	// class.
	index map[string]int
	// spellings are offered as suggestions, in table order:
	// each class's code, name and aliases.
	spellings []spelling
}

type spelling struct {
	key     string // compared with the value (upper case)
	suggest string // offered to the user
}

// tableHeader is the first non-comment record of every table file.
var tableHeader = []string{"code", "name", "categories", "width_m", "aliases"}

// categoryWords spells the Category flags in table files.
var categoryWords = map[string]Category{
	"construction":   CategoryConstruction,
	"green-space":    CategoryGreenSpace,
	"urban-built":    CategoryUrbanBuilt,
	"basic-farmland": CategoryBasicFarmland,
	"prohibited":     CategoryProhibited,
	"restricted":     CategoryRestricted,
	"controlled":     CategoryControlled,
	"line":           CategoryLine,
	"facility":       CategoryFacility,

	"development-boundary": CategoryDevelopmentBoundary,
	"permanent-farmland":   CategoryPermanentFarmland,
	"ecological-redline":   CategoryEcologicalRedline,
}

// parseTable reads one table file: '#' comment lines, the header
// code,name,categories,width_m,aliases, then one class per record. It
// rejects codes or aliases that resolve to two classes and names that are
// another class's code or alias; a name shared by several classes is kept
// but resolves to none of them.
func parseTable(spec *tableSpec, data []byte) (*classTable, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.FieldsPerRecord = len(tableHeader)
	fail := func(format string, args ...any) error {
		line, _ := r.FieldPos(0)
		return fmt.Errorf("planning: classification table %q (tables/%s:%d): %s", spec.name, spec.file, line, fmt.Sprintf(format, args...))
	}

	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("planning: classification table %q (tables/%s): reading header: %w", spec.name, spec.file, err)
	}
	if strings.Join(header, ",") != strings.Join(tableHeader, ",") {
		return nil, fail("header is %q, want %q", strings.Join(header, ","), strings.Join(tableHeader, ","))
	}

	t := &classTable{spec: spec, index: make(map[string]int)}
	var aliases [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("planning: classification table %q (tables/%s): %w", spec.name, spec.file, err)
		}
		for i, f := range rec {
			if f != strings.TrimSpace(f) {
				return nil, fail("%s %q has surrounding spaces", tableHeader[i], f)
			}
		}
		code, name, cats, width, als := rec[0], rec[1], rec[2], rec[3], rec[4]
		if code == "" || name == "" {
			return nil, fail("empty code or name")
		}
		c := Class{Table: spec.name, Code: code, Name: name}
		if cats != "" {
			for _, w := range strings.Split(cats, "|") {
				flag, ok := categoryWords[w]
				if !ok {
					return nil, fail("class %s: unknown category %q", code, w)
				}
				c.Category |= flag
			}
		}
		if width != "" {
			w, err := strconv.ParseFloat(width, 64)
			if err != nil || math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
				return nil, fail("class %s: width_m %q is not a width in metres", code, width)
			}
			if w > 0 && !c.Category.Has(CategoryLine) {
				return nil, fail("class %s: width_m %q on a class that is not a line", code, width)
			}
			c.DefaultWidthM = w
		}
		var al []string
		if als != "" {
			al = strings.Split(als, "|")
			for _, a := range al {
				if a == "" {
					return nil, fail("class %s: empty alias", code)
				}
			}
		}

		n := len(t.classes)
		for _, s := range append([]string{code}, al...) {
			k := t.key(s)
			if j, dup := t.index[k]; dup {
				return nil, fail("%q of class %s already names class %s", s, code, t.classes[j].Code)
			}
			t.index[k] = n
		}
		t.classes = append(t.classes, c)
		aliases = append(aliases, al)
	}
	if len(t.classes) == 0 {
		return nil, fmt.Errorf("planning: classification table %q (tables/%s): no classes", spec.name, spec.file)
	}

	// Names go in after every code and alias, so that a name can neither
	// shadow nor be shadowed by another class's code.
	byName := make(map[string][]int)
	for i, c := range t.classes {
		k := t.key(c.Name)
		if j, ok := t.index[k]; ok && j != i {
			return nil, fmt.Errorf("planning: classification table %q (tables/%s): name %q of class %s is a code or alias of class %s",
				spec.name, spec.file, c.Name, c.Code, t.classes[j].Code)
		}
		byName[k] = append(byName[k], i)
	}
	for k, is := range byName {
		if len(is) == 1 {
			t.index[k] = is[0]
		}
	}

	for i, c := range t.classes {
		t.spellings = append(t.spellings, spelling{strings.ToUpper(c.Code), c.Code})
		if c.Name != c.Code {
			// An ambiguous name suggests the code that resolves it.
			suggest := c.Name
			if len(byName[t.key(c.Name)]) > 1 {
				suggest = c.Code
			}
			t.spellings = append(t.spellings, spelling{strings.ToUpper(c.Name), suggest})
		}
		for _, a := range aliases[i] {
			t.spellings = append(t.spellings, spelling{strings.ToUpper(a), a})
		}
	}
	return t, nil
}

// key normalises a code, alias or name for the index: trimmed, upper case,
// and numeric codes padded to the table's width.
func (t *classTable) key(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if n := t.spec.digits; n > 0 && len(s) < n && isDigits(s) {
		s = strings.Repeat("0", n-len(s)) + s
	}
	return s
}

// lookup resolves a trimmed, non-empty value.
func (t *classTable) lookup(value string) (Class, bool) {
	k := t.key(value)
	if i, ok := t.index[k]; ok {
		return t.classes[i], true
	}
	if n := t.spec.subDigits; n > 0 && len(k) == n && isDigits(k) {
		if i, ok := t.index[k[:t.spec.digits]]; ok {
			c := t.classes[i]
			c.Code = k
			return c, true
		}
	}
	return Class{}, false
}

// suggest returns the candidate nearest to value by Levenshtein distance
// over runes, ignoring case; ties go to the earlier candidate in table
// order.
func (t *classTable) suggest(value string) string {
	v := []rune(strings.ToUpper(value))
	best, bestD := "", -1
	for _, c := range t.spellings {
		if d := levenshtein(v, []rune(c.key)); bestD < 0 || d < bestD {
			best, bestD = c.suggest, d
		}
	}
	return best
}

// levenshtein returns the edit distance between a and b.
func levenshtein(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
