package review

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/plancheck/plancheck/rules"
	"github.com/xuri/excelize/v2"
	"go.yaml.in/yaml/v3"
)

// LedgerRow is the decision a reviewer filled into one row of a ledger.xlsx
// (冲突台账).
type LedgerRow struct {
	Row         int // spreadsheet row number
	Fingerprint string
	Rule        string
	Features    []string // layer#id, from 图层A/要素A and 图层B/要素B
	Status      string
	Method      string
	Opinion     string
	Basis       string
	Expires     string
	// PreviousFeatures are the baseline's ids (parallel to Features) of a
	// finding matched to the baseline by its patch, as report.json beside
	// the ledger gives them (LinkPrevious): a decision recorded against
	// those ids is this row's, not a new one.
	PreviousFeatures []string
}

// ledgerSheet is the sheet plancheck writes; another sheet name means the
// workbook was reorganised, and the first sheet is read instead.
const ledgerSheet = "冲突台账"

var ruleNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// ReadLedger reads the decisions filled into a ledger.xlsx: the rows whose
// 协调方式, 处理意见, 处理状态, 依据文号 or 有效期至 are filled. Columns are
// found by their header, so reordered columns still read. Rows it cannot
// place (no valid 编号, an unknown status, an accepted status without
// 依据文号, a bad date, a finding already resolved) are returned as
// problems naming the row.
func ReadLedger(path string) ([]LedgerRow, []string, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("review: %s: not a readable .xlsx workbook: %w", path, err)
	}
	defer f.Close()
	// A ledger of more findings than a worksheet's rows continues on
	// 冲突台账 2, 3, …; a reorganised workbook is read by its first sheet.
	sheets := []string{ledgerSheet}
	if idx, _ := f.GetSheetIndex(ledgerSheet); idx < 0 {
		list := f.GetSheetList()
		if len(list) == 0 {
			return nil, nil, fmt.Errorf("review: %s: the workbook has no sheet", path)
		}
		sheets = list[:1]
	} else {
		for part := 2; ; part++ {
			name := ledgerSheet + " " + strconv.Itoa(part)
			if idx, _ := f.GetSheetIndex(name); idx < 0 {
				break
			}
			sheets = append(sheets, name)
		}
	}
	var out []LedgerRow
	var problems []string
	for i, sheet := range sheets {
		where := path
		if i > 0 {
			where = path + " sheet " + sheet
		}
		rows, bad, err := readLedgerSheet(f, path, where, sheet)
		if err != nil {
			return nil, nil, err
		}
		out, problems = append(out, rows...), append(problems, bad...)
	}
	return out, problems, nil
}

// readLedgerSheet reads the decided rows of one sheet of a ledger; where
// names the sheet in problems.
func readLedgerSheet(f *excelize.File, path, where, sheet string) ([]LedgerRow, []string, error) {
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, nil, fmt.Errorf("review: %s: %w", path, err)
	}
	if len(rows) == 0 {
		return nil, nil, fmt.Errorf("review: %s: sheet %s is empty", path, sheet)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.TrimSpace(h)] = i
	}
	if _, ok := col["编号"]; !ok {
		return nil, nil, fmt.Errorf("review: %s: sheet %s has no 编号 column (is it a plancheck ledger.xlsx?)", path, sheet)
	}
	var out []LedgerRow
	var problems []string
	for n, cells := range rows[1:] {
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(cells) {
				return strings.TrimSpace(cells[i])
			}
			return ""
		}
		r := LedgerRow{
			Row:         n + 2,
			Fingerprint: strings.ToLower(get("编号")),
			Rule:        get("冲突类型"),
			Method:      get("协调方式"),
			Opinion:     get("处理意见"),
			Basis:       get("依据文号"),
		}
		status, expires := get("处理状态"), get("有效期至")
		if r.Method == "" && r.Opinion == "" && r.Basis == "" && status == "" && expires == "" {
			continue // nothing decided on this row
		}
		bad := func(format string, args ...any) {
			problems = append(problems, fmt.Sprintf("%s row %d: %s", where, r.Row, fmt.Sprintf(format, args...)))
		}
		if !fingerprintRE.MatchString(r.Fingerprint) {
			bad("编号 %q is not a finding's 16-digit fingerprint", get("编号"))
			continue
		}
		if get("状态") == (&rules.Review{State: rules.StateAbsent}).StateLabelZH() {
			bad("finding %s is resolved (已消除); a decision would match nothing", r.Fingerprint)
			continue
		}
		var ok bool
		if r.Status, ok = parseStatus(status); !ok {
			bad("处理状态 %q is not one of %s", status, statusChoices())
			continue
		}
		if r.Status == rules.DecisionAccepted && r.Basis == "" {
			bad("处理状态 %s needs 依据文号 (the basis of the decision)", status)
			continue
		}
		if expires != "" {
			if r.Expires, ok = parseLedgerDate(expires); !ok {
				bad("有效期至 %q is not a date (YYYY-MM-DD)", expires)
				continue
			}
		}
		for _, side := range []string{"A", "B"} {
			layer, id := get("图层"+side), get("要素"+side)
			if layer != "" && id != "" {
				r.Features = append(r.Features, layer+"#"+id)
			}
		}
		out = append(out, r)
	}
	return out, problems, nil
}

// parseStatus reads a 处理状态 cell: a status, its Chinese label, or
// empty (a row with an opinion but no status is under review).
func parseStatus(s string) (string, bool) {
	if s == "" {
		return rules.DecisionUnderReview, true
	}
	for status, label := range rules.DecisionLabelsZH {
		if s == status || s == label {
			return status, true
		}
	}
	return "", false
}

func statusChoices() string {
	var cs []string
	for _, s := range []string{rules.DecisionAccepted, rules.DecisionToFix, rules.DecisionUnderReview} {
		cs = append(cs, rules.DecisionLabelsZH[s]+" ("+s+")")
	}
	return strings.Join(cs, ", ")
}

// parseLedgerDate reads a date as a reviewer types it in Excel: an ISO
// date, 2027/12/31, 2027年12月31日, or a date cell (a serial number).
func parseLedgerDate(s string) (string, bool) {
	for _, layout := range []string{"2006-01-02", "2006/1/2", "2006-1-2", "2006.1.2", "2006年1月2日"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(dateLayout), true
		}
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil && v > 0 && v < 2958466 && v == math.Trunc(v) {
		if t, err := excelize.ExcelDateToTime(v, false); err == nil {
			return t.Format(dateLayout), true
		}
	}
	return "", false
}

// MergeOptions are the values new entries get.
type MergeOptions struct {
	Date string // date: of new entries
	By   string // by: of new entries, "" to leave out
}

// MergeStats counts what Merge did.
type MergeStats struct {
	Added, Updated, Unchanged int
}

// Merge merges ledger rows into a decisions file (existing may be empty)
// and returns the new file. Entries already naming a row's finding (by
// fingerprint, or by rule and features) are updated in place, keeping
// their comments and order; the rest are appended, ordered by rule and
// fingerprint so repeated imports give the same file. The result is
// checked as ParseDecisions would.
func Merge(existing []byte, name string, rows []LedgerRow, opts MergeOptions) ([]byte, MergeStats, error) {
	var st MergeStats
	if _, err := ParseDecisions(existing, name); err != nil {
		return nil, st, err
	}
	var doc yaml.Node
	if len(bytes.TrimSpace(existing)) > 0 {
		if err := yaml.Unmarshal(existing, &doc); err != nil {
			return nil, st, &DecisionError{File: name, Msg: err.Error()}
		}
	}
	if len(doc.Content) == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, HeadComment: "Review decisions (协调意见) of the plan set; see plancheck decisions --help."}}}
	}
	root := doc.Content[0]
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "decisions" {
			list = root.Content[i+1]
		}
	}
	if list == nil {
		list = &yaml.Node{Kind: yaml.SequenceNode}
		root.Content = append(root.Content, scalar("decisions"), list)
	}
	if list.Kind != yaml.SequenceNode {
		// decisions: with only comments under it is null; it becomes the list.
		*list = yaml.Node{Kind: yaml.SequenceNode, HeadComment: list.HeadComment, LineComment: list.LineComment, FootComment: list.FootComment}
	}
	var added []*yaml.Node
	var addedKeys []string
	entries := newEntryIndex(list)
	for _, r := range rows {
		entry, viaPrevious := entries.find(r)
		if viaPrevious {
			// The features were re-digitised: the decision follows the
			// finding to its current ids, so the next revision (whose
			// baseline knows only these) still finds it.
			rekey(entry, r)
		}
		if entry == nil {
			entry = newEntry(r, opts)
			added = append(added, entry)
			addedKeys = append(addedKeys, r.Rule+"\x00"+r.Fingerprint)
			st.Added++
			continue
		}
		changed := false
		for _, kv := range [][2]string{{"status", r.Status}, {"method", r.Method}, {"opinion", r.Opinion}, {"basis", r.Basis}, {"expires", r.Expires}} {
			if kv[1] != "" && setKey(entry, kv[0], kv[1]) {
				changed = true
			}
		}
		if changed || viaPrevious {
			st.Updated++
		} else {
			st.Unchanged++
		}
	}
	order := make([]int, len(added))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(addedKeys[a], addedKeys[b]) })
	for _, i := range order {
		list.Content = append(list.Content, added[i])
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, st, fmt.Errorf("review: writing %s: %w", name, err)
	}
	if err := enc.Close(); err != nil {
		return nil, st, fmt.Errorf("review: writing %s: %w", name, err)
	}
	if _, err := ParseDecisions(buf.Bytes(), name); err != nil {
		return nil, st, fmt.Errorf("review: the merged decisions would not read back: %w", err)
	}
	return buf.Bytes(), st, nil
}

// entryIndex finds the entries of a decisions list by what they name:
// by fingerprint, or by rule and features in any order. The first entry
// naming a finding wins, as when decisions are applied.
type entryIndex map[string]*yaml.Node

func fingerprintKey(fp string) string { return "\x00fp\x00" + fp }

func newEntryIndex(list *yaml.Node) entryIndex {
	ix := entryIndex{}
	for _, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			continue
		}
		d := rules.Decision{}
		for i := 0; i+1 < len(item.Content); i += 2 {
			k, v := item.Content[i], item.Content[i+1]
			switch k.Value {
			case "rule":
				d.Rule = v.Value
			case "fingerprint":
				d.Fingerprint = strings.ToLower(v.Value)
			case "features":
				for _, it := range v.Content {
					d.Features = append(d.Features, it.Value)
				}
			}
		}
		key := decisionKey(rules.Decision{Rule: d.Rule, Features: d.Features})
		if d.Fingerprint != "" {
			key = fingerprintKey(d.Fingerprint)
		}
		if _, dup := ix[key]; !dup {
			ix[key] = item
		}
	}
	return ix
}

// find is the entry naming the row's finding, nil if none; viaPrevious
// says it names the finding by its baseline ids (PreviousFeatures) only.
func (ix entryIndex) find(r LedgerRow) (entry *yaml.Node, viaPrevious bool) {
	if e := ix[fingerprintKey(r.Fingerprint)]; e != nil {
		return e, false
	}
	if len(r.Features) > 0 {
		if e := ix[decisionKey(rules.Decision{Rule: r.Rule, Features: r.Features})]; e != nil {
			return e, false
		}
	}
	if prev := r.previousRefs(); prev != nil {
		if e := ix[fingerprintKey(refsFingerprint(r.Rule, prev))]; e != nil {
			return e, true
		}
		if e := ix[decisionKey(rules.Decision{Rule: r.Rule, Features: prev})]; e != nil {
			return e, true
		}
	}
	return nil, false
}

// previousRefs are the row's baseline layer#id references, nil when it
// has none.
func (r LedgerRow) previousRefs() []string {
	if len(r.PreviousFeatures) == 0 || len(r.PreviousFeatures) != len(r.Features) {
		return nil
	}
	refs := make([]string, len(r.Features))
	for i, ref := range r.Features {
		layer, _, _ := strings.Cut(ref, "#")
		refs[i] = layer + "#" + r.PreviousFeatures[i]
	}
	return refs
}

// rekey makes an entry name the row's finding by its current ids, in the
// form it had (fingerprint, or rule and features).
func rekey(entry *yaml.Node, r LedgerRow) {
	for i := 0; i+1 < len(entry.Content); i += 2 {
		k, v := entry.Content[i], entry.Content[i+1]
		switch k.Value {
		case "fingerprint":
			setKey(entry, "fingerprint", r.Fingerprint)
		case "features":
			seq := &yaml.Node{Kind: yaml.SequenceNode, Style: v.Style, HeadComment: v.HeadComment, LineComment: v.LineComment, FootComment: v.FootComment}
			for _, f := range r.Features {
				seq.Content = append(seq.Content, scalar(f))
			}
			entry.Content[i+1] = seq
			// The 编号 comment is on the mapping when written, on its
			// first key when read back.
			for _, n := range []*yaml.Node{entry, entry.Content[0]} {
				if c := strings.TrimPrefix(n.HeadComment, "# "); strings.HasPrefix(c, "编号 ") {
					n.HeadComment = "编号 " + r.Fingerprint
				}
			}
		}
	}
}

// LinkPrevious fills the rows' PreviousFeatures from the report.json of
// the check that wrote the ledger (its findings' previous_features, by
// fingerprint).
func LinkPrevious(rows []LedgerRow, reportJSON string) error {
	data, err := os.ReadFile(reportJSON)
	if err != nil {
		return err
	}
	var rep struct {
		Findings []struct {
			Fingerprint      string   `json:"fingerprint"`
			PreviousFeatures []string `json:"previous_features"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		return fmt.Errorf("review: %s: %w", reportJSON, err)
	}
	prev := map[string][]string{}
	for _, f := range rep.Findings {
		if len(f.PreviousFeatures) > 0 {
			prev[f.Fingerprint] = f.PreviousFeatures
		}
	}
	for i := range rows {
		rows[i].PreviousFeatures = prev[rows[i].Fingerprint]
	}
	return nil
}

// newEntry is a decisions entry for a ledger row: by rule and features
// when they hash to the row's 编号 (readable, and robust to re-sorting),
// else by fingerprint.
func newEntry(r LedgerRow, opts MergeOptions) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	byFeatures := ruleNameRE.MatchString(r.Rule) && len(r.Features) > 0 && refsFingerprint(r.Rule, r.Features) == r.Fingerprint
	if byFeatures {
		m.Content = append(m.Content, scalar("rule"), scalar(r.Rule))
		seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, f := range r.Features {
			seq.Content = append(seq.Content, scalar(f))
		}
		m.Content = append(m.Content, scalar("features"), seq)
		m.HeadComment = "编号 " + r.Fingerprint
	} else {
		m.Content = append(m.Content, scalar("fingerprint"), scalar(r.Fingerprint))
	}
	for _, kv := range [][2]string{{"status", r.Status}, {"method", r.Method}, {"opinion", r.Opinion}, {"basis", r.Basis}, {"by", opts.By}, {"date", opts.Date}, {"expires", r.Expires}} {
		if kv[1] != "" {
			m.Content = append(m.Content, scalar(kv[0]), scalar(kv[1]))
		}
	}
	return m
}

// refsFingerprint is the fingerprint of a finding of rule over layer#id
// references, in their order.
func refsFingerprint(rule string, refs []string) string {
	f := rules.Finding{Rule: rule}
	for _, ref := range refs {
		layer, id, _ := strings.Cut(ref, "#")
		f.Layers = append(f.Layers, layer)
		f.Features = append(f.Features, id)
	}
	return f.Fingerprint()
}

// setKey sets key to value in a mapping node, appending the key when
// missing; it reports whether anything changed.
func setKey(m *yaml.Node, key, value string) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v := m.Content[i+1]
			if v.Kind == yaml.ScalarNode && v.Value == value {
				return false
			}
			comments := [3]string{v.HeadComment, v.LineComment, v.FootComment}
			*v = *scalar(value)
			v.HeadComment, v.LineComment, v.FootComment = comments[0], comments[1], comments[2]
			return true
		}
	}
	m.Content = append(m.Content, scalar(key), scalar(value))
	return true
}

// scalar is a plain string node; values YAML would read as something else
// (dates, numbers, yes/no) are written quoted by the encoder.
func scalar(s string) *yaml.Node {
	n := &yaml.Node{}
	n.SetString(s)
	return n
}

// Skeleton is a commented decisions file with one entry per finding of the
// report directory dir, for reviewers to uncomment and fill in.
func Skeleton(dir, date string) ([]byte, error) {
	base, err := LoadBaseline(dir)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Review decisions (协调意见), one commented entry per finding of %s/report.json.\n", dir)
	b.WriteString("# Uncomment an entry and fill it in. status: accepted (同意保留, needs basis 依据文号;\n")
	b.WriteString("# waives the finding until expires), to-fix (需整改) or under-review (审查中).\n")
	b.WriteString("# Name this file in plancheck.yaml:  decisions: decisions.yaml\n")
	b.WriteString("decisions:\n")
	n := 0
	// Findings without feature ids (coverage gaps of one layer) can share
	// a fingerprint; one entry names them all, and a second would be a
	// duplicate entry.
	entryOf := map[string]int{}
	for _, f := range base.Findings {
		if f.Rule == RuleDecisionExpired || f.Rule == RuleDecisionStale {
			continue
		}
		n++
		fmt.Fprintf(&b, "  # [%d] %s (%s): %s", n, f.Rule, f.Severity, oneLine(f.Subject()))
		if f.AreaM2 > 0 {
			fmt.Fprintf(&b, ", %.2f m²", f.AreaM2)
		}
		b.WriteString("\n")
		if msg := f.Message; msg != "" {
			if f.MessageZH != "" {
				msg = f.MessageZH + " / " + msg // as report.json gives it
			}
			fmt.Fprintf(&b, "  #     %s\n", oneLine(msg))
		}
		if len(f.Features) > 0 {
			fmt.Fprintf(&b, "  # - rule: %s\n", f.Rule)
			refs := make([]string, len(f.Features))
			for i, id := range f.Features {
				layer := ""
				if i < len(f.Layers) {
					layer = f.Layers[i]
				}
				refs[i] = flowItem(layer + "#" + id)
			}
			fmt.Fprintf(&b, "  #   features: [%s]\n", strings.Join(refs, ", "))
		} else {
			fp := f.Fingerprint()
			if first, ok := entryOf[fp]; ok {
				fmt.Fprintf(&b, "  #     (fingerprint %s, as [%d]: its entry names this finding too)\n", fp, first)
				continue
			}
			entryOf[fp] = n
			fmt.Fprintf(&b, "  # - rule: %s\n  #   fingerprint: %s\n", f.Rule, fp)
		}
		fmt.Fprintf(&b, "  #   status: under-review\n  #   method: \n  #   opinion: \n  #   basis: \n  #   by: \n  #   date: %s\n  #   expires: \n", date)
	}
	if n == 0 {
		b.WriteString("  # (the report has no findings)\n")
	}
	return b.Bytes(), nil
}

// oneLine keeps user text on its comment line.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r < ' ' }), " ")
}

// flowItem quotes a feature reference for a YAML flow list when it holds
// characters YAML would read as syntax.
func flowItem(s string) string {
	s = oneLine(s)
	if strings.ContainsAny(s, ",[]{}:\"'&*!|>%@`") || strings.Contains(s, " #") {
		return strconv.Quote(s)
	}
	return s
}
