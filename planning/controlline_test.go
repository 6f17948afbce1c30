package planning

import "testing"

func TestControlLineClasses(t *testing.T) {
	for _, tc := range []struct {
		raw, code string
		cat       Category
	}{
		{"CZKFBJ", "CZKFBJ", CategoryDevelopmentBoundary},
		{"城镇开发边界", "CZKFBJ", CategoryDevelopmentBoundary},
		{"yjjbnt", "YJJBNT", CategoryPermanentFarmland},
		{"永久基本农田", "YJJBNT", CategoryPermanentFarmland},
		{" STBHHX ", "STBHHX", CategoryEcologicalRedline},
		{"生态保护红线", "STBHHX", CategoryEcologicalRedline},
	} {
		c, err := LookupClass(ControlLine, "", tc.raw)
		if err != nil {
			t.Errorf("%q: %v", tc.raw, err)
			continue
		}
		if c.Code != tc.code || !c.Category.Has(tc.cat) || c.Category.Has(CategoryConstruction) {
			t.Errorf("%q: got %s %b", tc.raw, c.Code, c.Category)
		}
	}
	if _, err := LookupClass(ControlLine, "", "基本农田"); err == nil {
		t.Error("基本农田 resolved as a control line (it is the land-use zone 010, not 永久基本农田)")
	}
	if l, err := ParseLevel("control-line"); err != nil || l != ControlLine {
		t.Errorf("ParseLevel: %v %v", l, err)
	}
}
