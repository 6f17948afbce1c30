package shapefile

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/plancheck/plancheck/geo"
)

// Projection is what the .prj says about the layer's coordinates.
type Projection struct {
	Found bool   // the layer has a .prj
	WKT   string // its text, blanks at the ends trimmed
	// Name is the name of the PROJCS or GEOGCS (PROJCRS, GEOGCRS) the WKT
	// defines, e.g. "CGCS2000_3_Degree_GK_CM_114E"; "" when none.
	Name string
	// CRS is the system plancheck knows the WKT to be (EPSG:4326, 4490 or
	// 4513–4554); nil when there is no .prj or it is not recognised.
	CRS *geo.CRS
	// Reason says why a .prj was not recognised, in words fit for a
	// message: e.g. `datum "D_Xian_1980" is neither WGS 84 nor CGCS2000`.
	Reason string
}

// ParsePrj recognises the coordinate system of a .prj: ESRI WKT (as ArcGIS,
// QGIS and GDAL write .prj files), OGC WKT 1 and WKT 2. It never fails: WKT
// that is malformed or names another system gives a Projection without a
// CRS and with a Reason, for the caller to say plainly.
//
// Recognised are WGS 84 (EPSG:4326) and CGCS2000 (EPSG:4490) lon/lat, and
// the CGCS2000 3-degree Gauss–Krüger zones: a transverse Mercator on
// CGCS2000 with scale 1, latitude of origin 0, false northing 0, a central
// meridian of 75°E–135°E in 3° steps, in metres; false easting 500000 is
// EPSG:4534–4554 (named "…CM 114E"), and zone×10⁶ + 500000 with zone =
// central meridian / 3 is EPSG:4513–4533 ("…Zone 38"). The parameters
// decide; a name or EPSG authority that says another zone than the
// parameters makes the WKT unrecognised rather than guessed at.
func ParsePrj(wkt string) Projection {
	p := Projection{Found: true, WKT: strings.TrimSpace(wkt)}
	root, err := parseWKT(p.WKT)
	if err != nil {
		p.Reason = "not WKT: " + err.Error()
		return p
	}
	p.Name = root.name()
	code, reason := recognise(root)
	if code == 0 {
		p.Reason = reason
		return p
	}
	c, err := geo.ParseCRS("EPSG:" + strconv.Itoa(code))
	if err != nil {
		p.Reason = err.Error() // unreachable: recognise returns codes geo knows
		return p
	}
	p.CRS = &c
	return p
}

// wktNode is KEYWORD[arg, …]: each arg is a string (quoted), a number or
// bare word (as text), or a node.
type wktNode struct {
	keyword string // upper case
	args    []any
}

// name is the node's first argument when it is a quoted string.
func (n *wktNode) name() string {
	if len(n.args) > 0 {
		if s, ok := n.args[0].(wktString); ok {
			return string(s)
		}
	}
	return ""
}

// child returns the first direct child with one of the keywords.
func (n *wktNode) child(keywords ...string) *wktNode {
	for _, a := range n.args {
		if c, ok := a.(*wktNode); ok {
			for _, k := range keywords {
				if c.keyword == k {
					return c
				}
			}
		}
	}
	return nil
}

// find returns the first node at any depth with one of the keywords.
func (n *wktNode) find(keywords ...string) *wktNode {
	if c := n.child(keywords...); c != nil {
		return c
	}
	for _, a := range n.args {
		if c, ok := a.(*wktNode); ok {
			if f := c.find(keywords...); f != nil {
				return f
			}
		}
	}
	return nil
}

// number is the node's first numeric argument.
func (n *wktNode) number() (float64, bool) {
	for _, a := range n.args {
		if s, ok := a.(wktWord); ok {
			v, err := strconv.ParseFloat(string(s), 64)
			return v, err == nil
		}
	}
	return 0, false
}

type (
	wktString string // a quoted string
	wktWord   string // a number or bare word
)

// maxWKTDepth bounds nesting, so hostile input cannot exhaust the stack.
const maxWKTDepth = 32

type wktParser struct {
	s   string
	pos int
}

func parseWKT(s string) (*wktNode, error) {
	p := &wktParser{s: s}
	n, err := p.node(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos < len(p.s) {
		return nil, fmt.Errorf("text after the end at byte %d", p.pos)
	}
	return n, nil
}

func (p *wktParser) space() {
	for p.pos < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *wktParser) word() string {
	start := p.pos
	for p.pos < len(p.s) && strings.IndexByte("[](),\" \t\r\n", p.s[p.pos]) < 0 {
		p.pos++
	}
	return p.s[start:p.pos]
}

func (p *wktParser) node(depth int) (*wktNode, error) {
	if depth > maxWKTDepth {
		return nil, fmt.Errorf("nested deeper than %d", maxWKTDepth)
	}
	p.space()
	kw := p.word()
	if kw == "" {
		return nil, fmt.Errorf("expected a keyword at byte %d", p.pos)
	}
	n := &wktNode{keyword: strings.ToUpper(kw)}
	p.space()
	if p.pos >= len(p.s) || (p.s[p.pos] != '[' && p.s[p.pos] != '(') {
		return nil, fmt.Errorf("expected [ after %s", kw)
	}
	closer := byte(']')
	if p.s[p.pos] == '(' {
		closer = ')'
	}
	p.pos++
	for {
		p.space()
		if p.pos >= len(p.s) {
			return nil, fmt.Errorf("%s not closed", kw)
		}
		switch c := p.s[p.pos]; {
		case c == '"':
			// WKT doubles a quote inside a string.
			var b strings.Builder
			p.pos++
			for {
				i := strings.IndexByte(p.s[p.pos:], '"')
				if i < 0 {
					return nil, fmt.Errorf("string not closed in %s", kw)
				}
				b.WriteString(p.s[p.pos : p.pos+i])
				p.pos += i + 1
				if p.pos < len(p.s) && p.s[p.pos] == '"' {
					b.WriteByte('"')
					p.pos++
					continue
				}
				break
			}
			n.args = append(n.args, wktString(b.String()))
		default:
			save := p.pos
			w := p.word()
			if w == "" {
				return nil, fmt.Errorf("unexpected %q at byte %d", c, p.pos)
			}
			p.space()
			if p.pos < len(p.s) && (p.s[p.pos] == '[' || p.s[p.pos] == '(') {
				p.pos = save
				child, err := p.node(depth + 1)
				if err != nil {
					return nil, err
				}
				n.args = append(n.args, child)
			} else {
				n.args = append(n.args, wktWord(w))
			}
		}
		p.space()
		if p.pos >= len(p.s) {
			return nil, fmt.Errorf("%s not closed", kw)
		}
		switch p.s[p.pos] {
		case ',':
			p.pos++
		case closer:
			p.pos++
			return n, nil
		default:
			return nil, fmt.Errorf("expected , or %c in %s at byte %d", closer, kw, p.pos)
		}
	}
}

// norm reduces a WKT name to lower-case letters and digits, so that
// "CGCS2000 / 3-degree Gauss-Kruger zone 38" and
// "CGCS2000_3_Degree_GK_Zone_38" compare by their words.
func norm(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Datum names, normalised, as ESRI, EPSG and PROJ spell them.
var (
	wgs84Names    = []string{"dwgs1984", "wgs1984", "wgs84", "worldgeodeticsystem1984", "gcswgs1984"}
	cgcs2000Names = []string{"dchina2000", "china2000", "chinageodeticcoordinatesystem2000", "cgcs2000", "gcschinageodeticcoordinatesystem2000"}
)

func oneOf(s string, names []string) bool {
	for _, n := range names {
		if s == n {
			return true
		}
	}
	return false
}

const (
	datumOther = iota
	datumWGS84
	datumCGCS2000
)

// datumOf says which datum a geographic CRS node is on, by its datum's
// name, else its own name; what is the name looked at, for messages.
func datumOf(g *wktNode) (kind int, what string) {
	names := []string{}
	if d := g.child("DATUM", "GEODETICDATUM", "TRF"); d != nil {
		names = append(names, d.name())
	}
	names = append(names, g.name())
	for _, n := range names {
		switch k := norm(n); {
		case oneOf(k, wgs84Names):
			return datumWGS84, n
		case oneOf(k, cgcs2000Names):
			return datumCGCS2000, n
		}
	}
	return datumOther, names[0]
}

var (
	zoneName = regexp.MustCompile(`3degree(?:gk|gausskruger|gausskrueger|gausskrger)zone(\d+)`)
	cmName   = regexp.MustCompile(`3degree(?:gk|gausskruger|gausskrueger|gausskrger)(?:cm|centralmeridian)(\d+)e`)
)

// epsgAuthority returns the code of a root-level AUTHORITY["EPSG", "n"] or
// ID["EPSG", n], or 0.
func epsgAuthority(n *wktNode) int {
	a := n.child("AUTHORITY", "ID")
	if a == nil || len(a.args) < 2 || !strings.EqualFold(a.name(), "EPSG") {
		return 0
	}
	var s string
	switch v := a.args[1].(type) {
	case wktString:
		s = string(v)
	case wktWord:
		s = string(v)
	}
	code, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0
	}
	return code
}

// recognise returns the EPSG code the WKT stands for, or 0 and why not.
func recognise(root *wktNode) (int, string) {
	switch root.keyword {
	case "GEOGCS", "GEOGCRS", "GEOGRAPHICCRS", "GEODCRS", "GEODETICCRS":
		kind, what := datumOf(root)
		if u := root.child("UNIT", "ANGLEUNIT"); u != nil {
			if v, ok := u.number(); ok && math.Abs(v-math.Pi/180) > 1e-12 {
				return 0, fmt.Sprintf("geographic coordinates in %q, not degrees", u.name())
			}
		}
		auth := epsgAuthority(root)
		switch {
		case kind == datumWGS84 && (auth == 0 || auth == 4326):
			return 4326, ""
		case kind == datumCGCS2000 && (auth == 0 || auth == 4490):
			return 4490, ""
		case kind == datumOther && (auth == 4326 || auth == 4490):
			return auth, ""
		case kind != datumOther:
			return 0, fmt.Sprintf("datum %q but EPSG authority %d", what, auth)
		}
		return 0, fmt.Sprintf("datum %q is neither WGS 84 nor CGCS2000", what)
	case "PROJCS", "PROJCRS", "PROJECTEDCRS":
		return recogniseProjected(root)
	}
	return 0, fmt.Sprintf("a %s, not a geographic or projected coordinate system", root.keyword)
}

func recogniseProjected(root *wktNode) (int, string) {
	base := root.child("GEOGCS", "BASEGEOGCRS", "BASEGEODCRS", "GEOGCRS")
	if base == nil {
		return 0, "projected system without its geographic system"
	}
	if kind, what := datumOf(base); kind != datumCGCS2000 {
		return 0, fmt.Sprintf("projected on datum %q, not CGCS2000 (plancheck reads CGCS2000 Gauss–Krüger zones)", what)
	}
	method := ""
	if m := root.find("PROJECTION", "METHOD"); m != nil {
		method = m.name()
	}
	switch norm(method) {
	case "transversemercator", "gausskruger", "gausskrueger", "gausskrger":
	default:
		return 0, fmt.Sprintf("projection %q, not a transverse Mercator (Gauss–Krüger)", method)
	}
	if u := root.child("UNIT", "LENGTHUNIT"); u != nil {
		if v, ok := u.number(); ok && v != 1 {
			return 0, fmt.Sprintf("unit %q of %v m, not metres", u.name(), v)
		}
	}
	params := map[string]float64{}
	var walk func(n *wktNode)
	walk = func(n *wktNode) {
		for _, a := range n.args {
			if c, ok := a.(*wktNode); ok {
				if c.keyword == "PARAMETER" {
					if v, ok := c.number(); ok {
						params[norm(c.name())] = v
					}
				} else if c.keyword == "CONVERSION" {
					walk(c)
				}
			}
		}
	}
	walk(root)
	get := func(def float64, names ...string) (float64, bool) {
		for _, n := range names {
			if v, ok := params[n]; ok {
				return v, true
			}
		}
		return def, false
	}
	cm, haveCM := get(0, "centralmeridian", "longitudeofnaturalorigin", "longitudeoforigin", "longitudeofcenter")
	fe, haveFE := get(0, "falseeasting")
	fn, _ := get(0, "falsenorthing")
	k, _ := get(1, "scalefactor", "scalefactoratnaturalorigin")
	lat0, _ := get(0, "latitudeoforigin", "latitudeofnaturalorigin")
	if !haveCM || !haveFE {
		return 0, "transverse Mercator without central meridian or false easting"
	}
	if math.Abs(k-1) > 1e-12 || fn != 0 || lat0 != 0 {
		return 0, fmt.Sprintf("transverse Mercator with scale %v, false northing %v, latitude of origin %v (CGCS2000 Gauss–Krüger zones have 1, 0, 0)", k, fn, lat0)
	}
	zone := int(math.Round(cm / 3))
	if cm != float64(3*zone) || zone < 25 || zone > 45 {
		return 0, fmt.Sprintf("central meridian %v, not one of the 3-degree zones 75E–135E", cm)
	}
	var code int
	switch fe {
	case 500000:
		code = 4534 + zone - 25
	case float64(zone)*1e6 + 500000:
		code = 4513 + zone - 25
	default:
		return 0, fmt.Sprintf("false easting %v with central meridian %vE (want 500000 or %d500000)", fe, cm, zone)
	}
	// The name and authority must not say otherwise: a contradiction is
	// a mistake in the file, not something to choose a side in.
	name := norm(root.name())
	if m := zoneName.FindStringSubmatch(name); m != nil {
		if z, _ := strconv.Atoi(m[1]); 4513+z-25 != code {
			return 0, fmt.Sprintf("name %q says zone %s but the parameters (central meridian %vE, false easting %v) are EPSG:%d", root.name(), m[1], cm, fe, code)
		}
	} else if m := cmName.FindStringSubmatch(name); m != nil {
		if c, _ := strconv.Atoi(m[1]); 4534+(c-75)/3 != code || c%3 != 0 {
			return 0, fmt.Sprintf("name %q says central meridian %sE but the parameters (central meridian %vE, false easting %v) are EPSG:%d", root.name(), m[1], cm, fe, code)
		}
	}
	if a := epsgAuthority(root); a != 0 && a != code {
		return 0, fmt.Sprintf("EPSG authority %d but the parameters (central meridian %vE, false easting %v) are EPSG:%d", a, cm, fe, code)
	}
	return code, ""
}
