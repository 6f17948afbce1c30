package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/plancheck/plancheck/rules"
)

// The SARIF rule descriptors carry the rule's doc: as text, as explain
// prints it, and as Markdown by sections, with the settings it reads; a
// doc given as one text (review.Rules) is read by its parts too.
func TestSARIFHelpFromDocs(t *testing.T) {
	custom := rules.Doc{Title: "construction on G* land", TitleZH: "建设占用绿地", Detects: "Finds R*, M* and _private_ [links] <b>.",
		Why: "It matters.", Fix: "Move it.", TextZH: "说明文字。"}
	tests := []struct {
		name     string
		ri       rules.RuleInfo
		markdown []string // in this order
	}{
		{"a Go rule with settings", rules.InfrastructureTimingMismatch.Info(), []string{
			"**joined lines are built at different times** · **跨市对接线路建设时序不一致**",
			"\n\n**Detects.** Reports a matched pair",
			"\n\n**Why it matters.** ",
			"\n\n**Fix.** Re-phase one of the two projects",
			"\n\n**说明.** 跨市对接线路建设时序不一致",
			"\n\n**Settings** (`settings:` in plancheck.yaml):\n",
			"\n- `boundary_reach_m`: 300 m (0 to 10000 m) — how near",
			"\n- `join_tolerance_m`: 500 m",
			"\n- `start_year_gap`: 5 years (whole years, 0 to 100) — ",
		}},
		{"markup in the text is escaped", rules.RuleInfo{Name: "custom", Title: custom.Title, Doc: custom.Text(nil), Help: custom, Severity: rules.Error}, []string{
			`**construction on G\* land** · **建设占用绿地**`,
			`**Detects.** Finds R\*, M\* and \_private\_ \[links\] &lt;b&gt;.`,
			"**Why it matters.** It matters.",
			"**Fix.** Move it.",
			"**说明.** 说明文字。",
		}},
		{"a doc in one text", rules.RuleInfo{Name: "decision-stale", Title: "a decision matches no current finding", Severity: rules.Warning,
			Doc: "a decision matches no current finding\n\nReports a decision that names nothing.\nA stale entry may waive a conflict tomorrow.\nFix: remove the entry.\n\n协调意见未对应任何当前冲突。"}, []string{
			"**a decision matches no current finding**\n\n**Detects.** Reports a decision that names nothing.",
			"**Why it matters.** A stale entry may waive a conflict tomorrow.",
			"**Fix.** Remove the entry.",
			"**说明.** 协调意见未对应任何当前冲突。",
		}},
	}
	sch := compileSARIFSchema(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &rules.Result{Tool: "plancheck", Rules: []rules.RuleInfo{tt.ri}}
			var buf bytes.Buffer
			if err := SARIF(&buf, r); err != nil {
				t.Fatal(err)
			}
			if err := validateSARIF(sch, buf.Bytes()); err != nil {
				t.Fatalf("the log does not validate: %v", err)
			}
			var log struct {
				Runs []struct {
					Tool struct {
						Driver struct {
							Rules []struct {
								ShortDescription struct{ Text string }
								FullDescription  struct{ Text, Markdown string }
								Help             struct{ Text, Markdown string }
							}
						}
					}
				}
			}
			if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
				t.Fatal(err)
			}
			d := log.Runs[0].Tool.Driver.Rules[0]
			if d.ShortDescription.Text != tt.ri.Title || d.Help.Text != tt.ri.Doc || d.FullDescription != d.Help {
				t.Errorf("descriptor %+v, want title %q and help and full description %q", d, tt.ri.Title, tt.ri.Doc)
			}
			rest := d.Help.Markdown
			for _, part := range tt.markdown {
				i := strings.Index(rest, part)
				if i < 0 {
					t.Fatalf("help.markdown lacks %q (in order) in:\n%s", part, d.Help.Markdown)
				}
				rest = rest[i+len(part):]
			}
		})
	}
}

// report.html shows each rule's doc under its title in the rules table,
// escaped; a rule known only by name keeps its bare title.
func TestHTMLRuleHelp(t *testing.T) {
	ri := rules.InfrastructureTimingMismatch.Info()
	r := &rules.Result{Tool: "plancheck", Rules: []rules.RuleInfo{ri, {Name: "bare", Title: "bare <rule>", Severity: rules.Info}},
		Findings: []rules.Finding{{Rule: "ad-hoc", Severity: rules.Warning, Layers: []string{"l"}}}}
	var buf bytes.Buffer
	if err := HTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{
		`<td><details class="doc"><summary>joined lines are built at different times</summary><p>跨市对接线路建设时序不一致</p><h4>Detects</h4><p>Reports a matched pair`,
		`<h4>Why it matters</h4><p>`, `<h4>Fix</h4><p>Re-phase one`, `<h4>说明</h4><p>跨市对接线路建设时序不一致（`,
		`<h4>Settings (settings: in plancheck.yaml)</h4><ul><li><code>boundary_reach_m</code>: 300 m (0 to 10000 m) — how near`,
		`<li><code>start_year_gap</code>: 5 years (whole years, 0 to 100) — by how many years`,
		`<td><code>bare</code></td><td>bare &lt;rule&gt;</td>`,
		`<td><code>ad-hoc</code></td><td>ad-hoc</td>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}
