package rules_test

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/plancheck/plancheck/rules"
	"github.com/plancheck/plancheck/rules/rulestest"
)

// TestInputMessageZH: the Chinese message of every input finding says the
// same where and why as the English one. It is the rule's Chinese title,
// a full-width colon and the problem's own Chinese text, which holds
// every number, code and quoted value of the English message (the
// coordinates of "at or near", the nearest class code, the years, the
// EPSG codes) and reads "位于 lon lat 附近" for "at or near lon lat". The
// fixed phrases the Chinese half used to be are listed so that none comes
// back alone.
func TestInputMessageZH(t *testing.T) {
	oldPhrases := []string{
		"几何无效，不参与其他规则检查", "要素结构不符合 GeoJSON (RFC 7946)", "属性缺失或无效", "要素编号重复",
		"要素几何为空", "环的方向不符合右手法则", "坐标系可疑", "图层与其他图层无重叠，请检查坐标系",
		"图层没有要素，未作任何检查", "图层读取说明", "两个图层读取同一文件，冲突将重复报告", "要素缺少清单 fields 映射的属性",
	}
	// specifics are what the Chinese half must repeat from the English
	// one: numbers (coordinates, years, counts, line numbers), quoted
	// values and EPSG codes.
	specifics := regexp.MustCompile(`"[^"]*"|EPSG:\d+|-?\d+(?:\.\d+)?`)
	near := regexp.MustCompile(`at or near (\S+) (\S+)`)
	cases := []struct {
		rule *rules.Rule
		// want are texts some finding's MessageZH of the rule must hold.
		want []string
	}{
		{rules.GeometryInvalid, []string{"外环自相交，位于 ", "附近"}},
		{rules.Lookup(rules.InputRules(), "feature-invalid"), []string{"要素的 \"id\" 是"}},
		{rules.Lookup(rules.InputRules(), "attribute-invalid"), []string{"是否应为 \"H9\"？", "起始年份 2030 晚于结束年份 2020"}},
		{rules.Lookup(rules.InputRules(), "id-duplicate"), []string{"要素编号 \"", "再次出现（首次在第 "}},
		{rules.Lookup(rules.InputRules(), "geometry-null"), []string{"要素的几何为 null"}},
		{rules.Lookup(rules.InputRules(), "winding-order"), []string{"个要素的环方向不符合 RFC 7946 右手法则；第一个：要素 "}},
		{rules.Lookup(rules.InputRules(), "crs-suspect"), []string{"EPSG:"}},
		{rules.Lookup(rules.InputRules(), "layers-disjoint"), []string{"（范围 ", "与本套其他图层均不重叠；请检查其坐标系"}},
		{rules.Lookup(rules.InputRules(), "layer-empty"), []string{"没有要素，未作任何检查"}},
		{rules.Lookup(rules.InputRules(), "layers-same-file"), []string{"两者之间的冲突将重复报告"}},
		{rules.Lookup(rules.InputRules(), "field-missing"), []string{"所映射的 \"", "按其位置命名为 #"}},
		{rules.Lookup(rules.InputRules(), "source-note"), []string{"：没有 .cpg 说明代码页"}},
	}
	for _, tc := range cases {
		t.Run(tc.rule.Name, func(t *testing.T) {
			files, _ := filepath.Glob(filepath.Join("testdata", tc.rule.Name, "*.txtar"))
			if len(files) == 0 {
				t.Fatalf("no testdata/%s/*.txtar", tc.rule.Name)
			}
			var all []string
			for _, file := range files {
				fs, _ := rulestest.Findings(t, tc.rule, file)
				for _, f := range fs {
					if f.Rule != tc.rule.Name {
						continue
					}
					zh := f.MessageZH
					all = append(all, zh)
					t.Logf("%s\n%s", f.Message, zh)
					head := tc.rule.Doc.TitleZH + "："
					if !strings.HasPrefix(zh, head) || len(zh) == len(head) {
						t.Errorf("%s: MessageZH %q does not start with %q and a reason", file, zh, head)
					}
					for _, old := range oldPhrases {
						if zh == old {
							t.Errorf("%s: MessageZH is the old fixed phrase %q alone", file, zh)
						}
					}
					if strings.Contains(zh, "%!") {
						t.Errorf("%s: MessageZH %q has a formatting error", file, zh)
					}
					for _, s := range specifics.FindAllString(f.Message, -1) {
						if !strings.Contains(zh, s) {
							t.Errorf("%s: MessageZH %q lacks %s of Message %q", file, zh, s, f.Message)
						}
					}
					if m := near.FindStringSubmatch(f.Message); m != nil {
						if loc := "位于 " + m[1] + " " + m[2] + " 附近"; !strings.Contains(zh, loc) {
							t.Errorf("%s: MessageZH %q lacks %q", file, zh, loc)
						}
					}
				}
			}
			if len(all) == 0 {
				t.Fatalf("no %s finding in testdata/%s", tc.rule.Name, tc.rule.Name)
			}
			joined := strings.Join(all, "\n")
			for _, w := range tc.want {
				if !strings.Contains(joined, w) {
					t.Errorf("no MessageZH holds %q; got:\n%s", w, joined)
				}
			}
		})
	}
}
