package planning

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestTablesLoad parses every embedded table, so that a mistake in the
// data fails here rather than at a user's first lookup.
func TestTablesLoad(t *testing.T) {
	tables, err := loadTables()
	if err != nil {
		t.Fatal(err)
	}
	files := make(map[string]bool)
	for _, s := range tableSpecs {
		if s.file == "" {
			continue
		}
		t.Run(s.name, func(t *testing.T) {
			if files[s.file] {
				t.Errorf("tables/%s serves two tables", s.file)
			}
			files[s.file] = true
			tbl := tables[s.name]
			if tbl == nil || len(tbl.classes) == 0 {
				t.Fatalf("table %q did not load", s.name)
			}
			for _, c := range tbl.classes {
				if c.Table != s.name {
					t.Errorf("class %s has Table %q, want %q", c.Code, c.Table, s.name)
				}
			}
			data, err := tableFiles.ReadFile("tables/" + s.file)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(data), "# ") {
				t.Errorf("tables/%s does not open with a comment naming its standard", s.file)
			}
		})
	}
	// Every embedded file belongs to a table.
	entries, err := fs.ReadDir(tableFiles, "tables")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !files[e.Name()] {
			t.Errorf("tables/%s is embedded but no tableSpec names it", e.Name())
		}
	}
	// Every level has a default table.
	for _, l := range Levels {
		if _, err := findSpec(l, ""); err != nil {
			t.Errorf("level %s: %v", l, err)
		}
	}
}

func TestParseTableErrors(t *testing.T) {
	const header = "# test table\ncode,name,categories,width_m,aliases\n"
	tests := []struct {
		name string
		data string
		want string // substring of the error
	}{
		{"no header", "A,甲,,,\n", "header"},
		{"wrong header", "code,name,category,width_m,aliases\n", "header"},
		{"empty", header, "no classes"},
		{"short record", header + "A,甲,,\n", "wrong number of fields"},
		{"empty code", header + ",甲,,,\n", "empty code or name"},
		{"empty name", header + "A,,,,\n", "empty code or name"},
		{"spaces", header + "A, 甲,,,\n", "surrounding spaces"},
		{"unknown category", header + "A,甲,construction|farmland,,\n", `unknown category "farmland"`},
		{"bad width", header + "A,甲,line,wide,\n", "not a width"},
		{"negative width", header + "A,甲,line,-5,\n", "not a width"},
		{"width off a line", header + "A,甲,facility,10,\n", "not a line"},
		{"empty alias", header + "A,甲,,,a||b\n", "empty alias"},
		{"duplicate code", header + "A,甲,,,\na,乙,,,\n", `"a" of class a already names class A`},
		{"alias clash", header + "A,甲,,,\nB,乙,,,A\n", `"A" of class B already names class A`},
		{"name is another code", header + "A,甲,,,\nB,A,,,\n", `name "A" of class B is a code or alias of class A`},
		{"line number", header + "A,甲,,,\nB,乙,bogus,,\n", "t.csv:4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := &tableSpec{level: CityMaster, name: "test", file: "t.csv"}
			_, err := parseTable(spec, []byte(tt.data))
			if err == nil {
				t.Fatalf("parseTable succeeded, want error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "planning: ") {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}

	t.Run("numeric padding clash", func(t *testing.T) {
		spec := &tableSpec{level: LandUse, name: "test", file: "t.csv", digits: 3}
		if _, err := parseTable(spec, []byte(header+"010,甲,,,\n10,乙,,,\n")); err == nil {
			t.Error("parseTable accepted 010 and 10 as two classes of a three-digit table")
		}
	})
	t.Run("shared names are kept", func(t *testing.T) {
		spec := &tableSpec{level: CityMaster, name: "test", file: "t.csv"}
		tbl, err := parseTable(spec, []byte(header+"A1,住宅,,,\nA2,住宅,,,\n"))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := tbl.lookup("住宅"); ok {
			t.Error("a name shared by two classes resolved to one of them")
		}
	})
}

// TestLookupClass covers every category assignment the rules rely on.
func TestLookupClass(t *testing.T) {
	const (
		construction = CategoryConstruction
		green        = CategoryGreenSpace
		urban        = CategoryUrbanBuilt
	)
	tests := []struct {
		name    string
		level   Level
		table   string
		raw     string
		code    string
		cname   string   // "" to skip
		has     Category // flags that must be set
		hasNot  Category // flags that must be clear
		widthM  float64
		tableIs string // "" to skip
	}{
		// city-master: GB 50137-2011, one case per major class.
		{name: "H construction", level: CityMaster, raw: "H", code: "H", cname: "建设用地", has: construction, hasNot: urban | green, tableIs: "GB 50137-2011"},
		{name: "H11", level: CityMaster, raw: "H11", code: "H11", cname: "城市建设用地", has: construction, hasNot: urban},
		{name: "H25", level: CityMaster, raw: "H25", code: "H25", cname: "管道运输用地", has: construction},
		{name: "H42", level: CityMaster, raw: "H42", code: "H42", cname: "安保用地", has: construction},
		{name: "E not construction", level: CityMaster, raw: "E", code: "E", cname: "非建设用地", hasNot: construction | urban | green},
		{name: "E13 not construction", level: CityMaster, raw: "E13", code: "E13", cname: "坑塘沟渠", hasNot: construction},
		{name: "E2 not construction", level: CityMaster, raw: "E2", code: "E2", cname: "农林用地", hasNot: construction},
		{name: "R urban built", level: CityMaster, raw: "R", code: "R", cname: "居住用地", has: construction | urban, hasNot: green},
		{name: "R2", level: CityMaster, raw: "R2", code: "R2", cname: "二类居住用地", has: construction | urban},
		{name: "R32", level: CityMaster, raw: "R32", code: "R32", cname: "服务设施用地", has: construction | urban},
		{name: "A urban built", level: CityMaster, raw: "A", code: "A", cname: "公共管理与公共服务设施用地", has: construction | urban, hasNot: green},
		{name: "A59", level: CityMaster, raw: "A59", code: "A59", cname: "其他医疗卫生用地", has: construction | urban},
		{name: "B urban built", level: CityMaster, raw: "B", code: "B", cname: "商业服务业设施用地", has: construction | urban},
		{name: "B49", level: CityMaster, raw: "B49", code: "B49", cname: "其他公用设施营业网点用地", has: construction | urban},
		{name: "M urban built", level: CityMaster, raw: "M", code: "M", cname: "工业用地", has: construction | urban},
		{name: "M3", level: CityMaster, raw: "M3", code: "M3", cname: "三类工业用地", has: construction | urban},
		{name: "W urban built", level: CityMaster, raw: "W", code: "W", cname: "物流仓储用地", has: construction | urban},
		{name: "W2", level: CityMaster, raw: "W2", code: "W2", cname: "二类物流仓储用地", has: construction | urban},
		{name: "S not urban built", level: CityMaster, raw: "S", code: "S", cname: "道路与交通设施用地", has: construction, hasNot: urban | green},
		{name: "S42", level: CityMaster, raw: "S42", code: "S42", cname: "社会停车场用地", has: construction, hasNot: urban},
		{name: "U not urban built", level: CityMaster, raw: "U", code: "U", cname: "公用设施用地", has: construction, hasNot: urban | green},
		{name: "U16", level: CityMaster, raw: "U16", code: "U16", cname: "广播电视用地", has: construction, hasNot: urban},
		{name: "G green space", level: CityMaster, raw: "G", code: "G", cname: "绿地与广场用地", has: construction | green, hasNot: urban},
		{name: "G1", level: CityMaster, raw: "G1", code: "G1", cname: "公园绿地", has: construction | green, hasNot: urban},
		{name: "G3", level: CityMaster, raw: "G3", code: "G3", cname: "广场用地", has: construction | green},
		{name: "by name", level: CityMaster, raw: "二类居住用地", code: "R2", has: construction | urban},
		{name: "by variant name", level: CityMaster, raw: "社会福利设施用地", code: "A6", cname: "社会福利用地"},
		{name: "table by name", level: CityMaster, table: "GB 50137-2011", raw: "G2", code: "G2", has: green},

		// city-master codes are case-insensitive and trimmed.
		{name: "lower case", level: CityMaster, raw: "r2", code: "R2", has: urban},
		{name: "lower case sub-class", level: CityMaster, raw: "b11", code: "B11", cname: "零售商业用地"},
		{name: "spaces", level: CityMaster, raw: "  g1\t", code: "G1", has: green},
		{name: "full-width space", level: CityMaster, raw: "\u3000M2\u3000", code: "M2"},

		// land-use: TD/T 1024-2010 土地用途区.
		{name: "010 farmland by code", level: LandUse, raw: "010", code: "010", cname: "基本农田保护区", has: CategoryBasicFarmland, hasNot: construction, tableIs: "TD/T 1024-2010 土地用途区"},
		{name: "010 farmland without zero", level: LandUse, raw: "10", code: "010", has: CategoryBasicFarmland},
		{name: "010 farmland by name", level: LandUse, raw: "基本农田保护区", code: "010", has: CategoryBasicFarmland},
		{name: "020 not construction", level: LandUse, raw: "020", code: "020", cname: "一般农地区", hasNot: construction | CategoryBasicFarmland},
		{name: "030 construction", level: LandUse, raw: "030", code: "030", cname: "城镇建设用地区", has: construction},
		{name: "030 construction without zero", level: LandUse, raw: "30", code: "030", has: construction},
		{name: "040 construction", level: LandUse, raw: "040", code: "040", cname: "村镇建设用地区", has: construction},
		{name: "050 construction", level: LandUse, raw: "050", code: "050", cname: "独立工矿区", has: construction},
		{name: "050 construction by name", level: LandUse, raw: "独立工矿区", code: "050", has: construction},
		{name: "城镇村建设用地区 construction", level: LandUse, raw: "城镇村建设用地区", code: "城镇村建设用地区", cname: "城镇村建设用地区", has: construction},
		{name: "060 not construction", level: LandUse, raw: "060", code: "060", hasNot: construction},
		{name: "100", level: LandUse, raw: "100", code: "100", cname: "牧业用地区", hasNot: construction},
		{name: "990", level: LandUse, raw: "990", code: "990", cname: "其他用地区"},
		{name: "default table by name", level: LandUse, table: "TD/T 1024-2010 土地用途区", raw: "040", code: "040", has: construction},

		// land-use: 建设用地管制区.
		{name: "允许建设区", level: LandUse, table: "建设用地管制区", raw: "010", code: "010", cname: "允许建设区", has: construction, hasNot: CategoryBasicFarmland, tableIs: "建设用地管制区"},
		{name: "有条件建设区", level: LandUse, table: "construction-control", raw: "有条件建设区", code: "020", has: construction},
		{name: "限制建设区", level: LandUse, table: "建设用地管制区", raw: "30", code: "030", cname: "限制建设区", hasNot: construction | CategoryProhibited},
		{name: "禁止建设区", level: LandUse, table: "建设用地管制区", raw: "040", code: "040", has: CategoryProhibited, hasNot: construction},
		{name: "database form 1010", level: LandUse, table: "建设用地管制区", raw: "1010", code: "010", cname: "允许建设区", has: construction},
		{name: "database form 1040", level: LandUse, table: "Construction-Control", raw: "1040", code: "040", has: CategoryProhibited},

		// land-use: 用地用海 (2023).
		{name: "01 耕地 no farmland flag", level: LandUse, table: "用地用海", raw: "01", code: "01", cname: "耕地", hasNot: construction | CategoryBasicFarmland, tableIs: "用地用海"},
		{name: "1 is 01", level: LandUse, table: "用地用海", raw: "1", code: "01", cname: "耕地"},
		{name: "06 construction", level: LandUse, table: "用地用海2023", raw: "06", code: "06", cname: "农业设施建设用地", has: construction},
		{name: "07 by name", level: LandUse, table: "territorial-2023", raw: "居住用地", code: "07", has: construction},
		{name: "16 construction", level: LandUse, table: "用地用海", raw: "16", code: "16", cname: "留白用地", has: construction},
		{name: "17 not construction", level: LandUse, table: "用地用海", raw: "17", code: "17", cname: "陆地水域", hasNot: construction},
		{name: "second level 0701", level: LandUse, table: "用地用海", raw: "0701", code: "0701", cname: "居住用地", has: construction},
		{name: "second level 0103", level: LandUse, table: "用地用海", raw: "0103", code: "0103", cname: "耕地", hasNot: construction},

		// green-heart.
		{name: "禁止开发区", level: GreenHeart, raw: "禁止开发区", code: "禁止开发区", cname: "禁止开发区", has: CategoryProhibited, hasNot: CategoryRestricted, tableIs: "长株潭生态绿心"},
		{name: "限制开发区", level: GreenHeart, raw: "限制开发区", code: "限制开发区", has: CategoryRestricted, hasNot: CategoryProhibited},
		{name: "控制建设区", level: GreenHeart, raw: "控制建设区", code: "控制建设区", has: CategoryControlled},
		{name: "核心保护区 prohibited", level: GreenHeart, raw: "核心保护区", code: "核心保护区", has: CategoryProhibited},
		{name: "融合发展区 controlled", level: GreenHeart, raw: "融合发展区", code: "融合发展区", has: CategoryControlled, hasNot: CategoryProhibited},
		{name: "alias prohibited", level: GreenHeart, raw: "prohibited", code: "禁止开发区", has: CategoryProhibited},
		{name: "alias Restricted", level: GreenHeart, raw: "Restricted", code: "限制开发区", has: CategoryRestricted},
		{name: "alias controlled", level: GreenHeart, raw: "controlled", code: "控制建设区", has: CategoryControlled},
		{name: "alias CORE", level: GreenHeart, raw: "CORE", code: "核心保护区", has: CategoryProhibited},
		{name: "alias integrated", level: GreenHeart, raw: "integrated", code: "融合发展区", has: CategoryControlled},

		// regional.
		{name: "禁止开发地区", level: Regional, raw: "禁止开发地区", code: "禁止开发地区", has: CategoryProhibited, tableIs: "长株潭城市群区域规划 空间管制"},
		{name: "禁止开发区 without 地", level: Regional, raw: "禁止开发区", code: "禁止开发地区", has: CategoryProhibited},
		{name: "限制开发区 without 地", level: Regional, raw: "限制开发区", code: "限制开发地区", has: CategoryRestricted, hasNot: CategoryProhibited},
		{name: "适宜开发区 without 地", level: Regional, raw: "适宜开发区", code: "适宜开发地区", hasNot: CategoryProhibited | CategoryRestricted | construction},
		{name: "重点开发区", level: Regional, raw: "重点开发区", code: "适宜开发地区"},
		{name: "已建区", level: Regional, raw: "已建区", code: "已建区", hasNot: CategoryProhibited | CategoryRestricted},

		// infrastructure default widths.
		{name: "road", level: Infrastructure, raw: "road", code: "road", cname: "道路", has: CategoryLine, widthM: 40, tableIs: "infrastructure"},
		{name: "道路", level: Infrastructure, raw: "道路", code: "road", has: CategoryLine, widthM: 40},
		{name: "ROAD", level: Infrastructure, raw: "ROAD", code: "road", widthM: 40},
		{name: "rail", level: Infrastructure, raw: "rail", code: "rail", cname: "铁路", has: CategoryLine, widthM: 30},
		{name: "轨道", level: Infrastructure, raw: "轨道", code: "rail", widthM: 30},
		{name: "power", level: Infrastructure, raw: "电力", code: "power", has: CategoryLine, widthM: 20},
		{name: "pipeline", level: Infrastructure, raw: "pipeline", code: "pipeline", has: CategoryLine, widthM: 10},
		{name: "管线", level: Infrastructure, raw: "管线", code: "pipeline", widthM: 10},
		{name: "water", level: Infrastructure, raw: "water", code: "water", cname: "水利", has: CategoryLine, widthM: 20},
		{name: "供水", level: Infrastructure, raw: "供水", code: "water", widthM: 20},
		{name: "facility", level: Infrastructure, raw: "设施", code: "facility", has: CategoryFacility, hasNot: CategoryLine, widthM: 0},

		// boundary: any non-empty value is its own class.
		{name: "boundary", level: Boundary, raw: " 长沙市 ", code: "长沙市", cname: "长沙市", tableIs: "boundary"},
		{name: "boundary code", level: Boundary, table: "boundary", raw: "430100", code: "430100", cname: "430100"},
	}
	for _, tt := range tests {
		t.Run(string(tt.level)+"/"+tt.name, func(t *testing.T) {
			c, err := LookupClass(tt.level, tt.table, tt.raw)
			if err != nil {
				t.Fatalf("LookupClass(%s, %q, %q): %v", tt.level, tt.table, tt.raw, err)
			}
			if c.Code != tt.code {
				t.Errorf("Code = %q, want %q", c.Code, tt.code)
			}
			if tt.cname != "" && c.Name != tt.cname {
				t.Errorf("Name = %q, want %q", c.Name, tt.cname)
			}
			if !c.Category.Has(tt.has) {
				t.Errorf("Category = %b, want flags %b set", c.Category, tt.has)
			}
			if c.Category&tt.hasNot != 0 {
				t.Errorf("Category = %b, want flags %b clear", c.Category, tt.hasNot)
			}
			if c.DefaultWidthM != tt.widthM {
				t.Errorf("DefaultWidthM = %v, want %v", c.DefaultWidthM, tt.widthM)
			}
			if tt.tableIs != "" && c.Table != tt.tableIs {
				t.Errorf("Table = %q, want %q", c.Table, tt.tableIs)
			}
		})
	}
}

// TestCityMasterRule checks every GB 50137-2011 class, sub-classes
// included, against the rule of the table: the major class (first letter)
// decides the flags, and every sub-class has its parent.
func TestCityMasterRule(t *testing.T) {
	want := map[byte]Category{
		'H': CategoryConstruction,
		'E': 0,
		'R': CategoryConstruction | CategoryUrbanBuilt,
		'A': CategoryConstruction | CategoryUrbanBuilt,
		'B': CategoryConstruction | CategoryUrbanBuilt,
		'M': CategoryConstruction | CategoryUrbanBuilt,
		'W': CategoryConstruction | CategoryUrbanBuilt,
		'S': CategoryConstruction,
		'U': CategoryConstruction,
		'G': CategoryConstruction | CategoryGreenSpace,
	}
	tables, err := loadTables()
	if err != nil {
		t.Fatal(err)
	}
	codes := make(map[string]bool)
	for _, c := range tables["GB 50137-2011"].classes {
		codes[c.Code] = true
	}
	for _, c := range tables["GB 50137-2011"].classes {
		t.Run(c.Code, func(t *testing.T) {
			cat, ok := want[c.Code[0]]
			if !ok {
				t.Fatalf("unexpected major class %q", c.Code[:1])
			}
			if c.Category != cat {
				t.Errorf("Category = %b, want %b", c.Category, cat)
			}
			if len(c.Code) > 1 && !codes[c.Code[:len(c.Code)-1]] {
				t.Errorf("parent %s missing", c.Code[:len(c.Code)-1])
			}
		})
	}
	for major := range want {
		if !codes[string(major)] {
			t.Errorf("major class %c missing", major)
		}
	}
}

// TestTerritorialConstruction checks that exactly 06..16 of the 2023
// 用地用海 classes are construction land.
func TestTerritorialConstruction(t *testing.T) {
	for n := 1; n <= 24; n++ {
		code := fmt.Sprintf("%02d", n)
		t.Run(code, func(t *testing.T) {
			c, err := LookupClass(LandUse, "用地用海", code)
			if err != nil {
				t.Fatal(err)
			}
			want := n >= 6 && n <= 16
			if got := c.Category.Has(CategoryConstruction); got != want {
				t.Errorf("construction = %v, want %v", got, want)
			}
			if c.Category.Has(CategoryBasicFarmland) {
				t.Error("用地用海 classes never carry the basic-farmland flag")
			}
		})
	}
}

func TestLookupClassUnknown(t *testing.T) {
	tests := []struct {
		name       string
		level      Level
		table      string
		raw        string
		value      string // UnknownClassError.Value
		tableName  string // UnknownClassError.Table
		suggestion string
		msg        string // "" to skip
	}{
		// Levenshtein distance, ties to the earlier candidate: "R" (one
		// deletion) comes before R1, R2, R3 (one substitution).
		{name: "R7", level: CityMaster, raw: "R7", value: "R7", tableName: "GB 50137-2011", suggestion: "R",
			msg: `planning: unknown city-master class "R7" (GB 50137-2011); did you mean "R"?`},
		{name: "name typo", level: CityMaster, raw: "二类居往用地", value: "二类居往用地", tableName: "GB 50137-2011", suggestion: "二类居住用地"},
		{name: "shared name suggests first code", level: CityMaster, raw: "住宅用地", value: "住宅用地", tableName: "GB 50137-2011", suggestion: "R11",
			msg: `planning: unknown city-master class "住宅用地" (GB 50137-2011); did you mean "R11"?`},
		{name: "shared name 服务设施用地", level: CityMaster, raw: "服务设施用地", value: "服务设施用地", tableName: "GB 50137-2011", suggestion: "R12"},
		{name: "trimmed value", level: CityMaster, raw: " X1 ", value: "X1", tableName: "GB 50137-2011"},
		{name: "empty", level: CityMaster, raw: "  ", value: "", tableName: "GB 50137-2011", suggestion: "",
			msg: `planning: empty city-master class (GB 50137-2011)`},
		{name: "land-use 011", level: LandUse, raw: "011", value: "011", tableName: "TD/T 1024-2010 土地用途区", suggestion: "010",
			msg: `planning: unknown land-use class "011" (TD/T 1024-2010 土地用途区); did you mean "010"?`},
		{name: "land-use 99", level: LandUse, raw: "99", value: "99", tableName: "TD/T 1024-2010 土地用途区", suggestion: "990"},
		{name: "land-use 0010 is not padded", level: LandUse, raw: "0010", value: "0010", tableName: "TD/T 1024-2010 土地用途区", suggestion: "010"},
		{name: "land-use name typo", level: LandUse, raw: "基本农田保护", value: "基本农田保护", tableName: "TD/T 1024-2010 土地用途区", suggestion: "基本农田保护区"},
		{name: "land-use 0701 only in 用地用海", level: LandUse, raw: "0701", value: "0701", tableName: "TD/T 1024-2010 土地用途区"},
		{name: "construction-control", level: LandUse, table: "construction-control", raw: "允许建设", value: "允许建设", tableName: "建设用地管制区", suggestion: "允许建设区"},
		{name: "用地用海 typo", level: LandUse, table: "用地用海", raw: "居往用地", value: "居往用地", tableName: "用地用海", suggestion: "居住用地"},
		{name: "用地用海 second level of unknown class", level: LandUse, table: "用地用海", raw: "2501", value: "2501", tableName: "用地用海"},
		{name: "用地用海 six digits", level: LandUse, table: "用地用海", raw: "070101", value: "070101", tableName: "用地用海"},
		{name: "green-heart alias typo", level: GreenHeart, raw: "prohibted", value: "prohibted", tableName: "长株潭生态绿心", suggestion: "prohibited",
			msg: `planning: unknown green-heart class "prohibted" (长株潭生态绿心); did you mean "prohibited"?`},
		{name: "regional", level: Regional, raw: "禁止开发", value: "禁止开发", tableName: "长株潭城市群区域规划 空间管制", suggestion: "禁止开发区"},
		{name: "infrastructure", level: Infrastructure, raw: "raod", value: "raod", tableName: "infrastructure", suggestion: "road",
			msg: `planning: unknown infrastructure class "raod"; did you mean "road"?`},
		{name: "infrastructure chinese", level: Infrastructure, raw: "电网", value: "电网", tableName: "infrastructure", suggestion: "电力"},
		{name: "boundary empty", level: Boundary, raw: "", value: "", tableName: "boundary", msg: "planning: empty boundary class"},
		// Full-width code typed with a Chinese input method (issue 18): the
		// suggestion is the half-width code it spells, not the nearest by
		// edit distance over full-width runes.
		{name: "full-width M1", level: CityMaster, raw: "Ｍ１", value: "Ｍ１", tableName: "GB 50137-2011", suggestion: "M1",
			msg: `planning: unknown city-master class "Ｍ１" (GB 50137-2011); did you mean "M1"? (it is written in full-width characters; codes use half-width ones)`},
		{name: "full-width 010", level: LandUse, raw: "０１０", value: "０１０", tableName: "TD/T 1024-2010 土地用途区", suggestion: "010"},
	}
	for _, tt := range tests {
		t.Run(string(tt.level)+"/"+tt.name, func(t *testing.T) {
			c, err := LookupClass(tt.level, tt.table, tt.raw)
			var ue *UnknownClassError
			if !errors.As(err, &ue) {
				t.Fatalf("LookupClass(%s, %q, %q) = %v, %v; want *UnknownClassError", tt.level, tt.table, tt.raw, c, err)
			}
			if ue.Level != tt.level || ue.Table != tt.tableName || ue.Value != tt.value {
				t.Errorf("error fields Level %q Table %q Value %q, want %q %q %q", ue.Level, ue.Table, ue.Value, tt.level, tt.tableName, tt.value)
			}
			if tt.suggestion != "" && ue.Suggestion != tt.suggestion {
				t.Errorf("Suggestion = %q, want %q", ue.Suggestion, tt.suggestion)
			}
			if tt.value == "" && ue.Suggestion != "" {
				t.Errorf("Suggestion = %q for an empty value, want none", ue.Suggestion)
			}
			if tt.msg != "" && err.Error() != tt.msg {
				t.Errorf("message\n got %s\nwant %s", err, tt.msg)
			}
		})
	}
}

func TestLookupClassBadTable(t *testing.T) {
	_, err := LookupClass(LandUse, "GB 50137-2011", "010")
	var te *UnknownTableError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want *UnknownTableError", err)
	}
	want := `planning: unknown land-use classification "GB 50137-2011" (want one of "TD/T 1024-2010 土地用途区", "建设用地管制区", "construction-control", "用地用海", "用地用海2023", "territorial-2023")`
	if err.Error() != want {
		t.Errorf("message\n got %s\nwant %s", err, want)
	}

	_, err = LookupClass(Level("county"), "", "010")
	if err == nil || errors.As(err, &te) || !strings.Contains(err.Error(), `unknown level "county"`) {
		t.Errorf("unknown level: err = %v", err)
	}
}

func TestKnownTables(t *testing.T) {
	tests := []struct {
		level Level
		want  []string
	}{
		{Regional, []string{"长株潭城市群区域规划 空间管制"}},
		{GreenHeart, []string{"长株潭生态绿心"}},
		{CityMaster, []string{"GB 50137-2011"}},
		{LandUse, []string{"TD/T 1024-2010 土地用途区", "建设用地管制区", "construction-control", "用地用海", "用地用海2023", "territorial-2023"}},
		{Infrastructure, []string{"infrastructure"}},
		{Boundary, []string{"boundary"}},
		{Level("county"), nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.level), func(t *testing.T) {
			got := KnownTables(tt.level)
			if !slices.Equal(got, tt.want) {
				t.Errorf("KnownTables = %q, want %q", got, tt.want)
			}
			for _, name := range got {
				if !ValidTable(tt.level, name) {
					t.Errorf("ValidTable(%s, %q) = false for a known table", tt.level, name)
				}
			}
		})
	}
	t.Run("copy", func(t *testing.T) {
		KnownTables(LandUse)[0] = "changed"
		if KnownTables(LandUse)[0] != "TD/T 1024-2010 土地用途区" {
			t.Error("KnownTables returned shared storage")
		}
	})
}

func TestValidTable(t *testing.T) {
	tests := []struct {
		level Level
		table string
		want  bool
	}{
		{LandUse, "", true},
		{LandUse, "  ", true},
		{LandUse, "construction-control", true},
		{LandUse, " Construction-Control ", true},
		{LandUse, "建设用地管制区", true},
		{LandUse, "用地用海", true},
		{LandUse, "用地用海2023", true},
		{LandUse, "TERRITORIAL-2023", true},
		{LandUse, "td/t 1024-2010 土地用途区", true},
		{LandUse, "GB 50137-2011", false},
		{LandUse, "用地用海2020", false},
		{CityMaster, "GB 50137-2011", true},
		{CityMaster, "建设用地管制区", false},
		{GreenHeart, "长株潭生态绿心", true},
		{Regional, "长株潭城市群区域规划 空间管制", true},
		{Infrastructure, "infrastructure", true},
		{Boundary, "boundary", true},
		{Boundary, "行政区划", false},
		{Level("county"), "", true},
		{Level("county"), "GB 50137-2011", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.level)+"/"+tt.table, func(t *testing.T) {
			if got := ValidTable(tt.level, tt.table); got != tt.want {
				t.Errorf("ValidTable(%s, %q) = %v, want %v", tt.level, tt.table, got, tt.want)
			}
		})
	}
}

func TestLevenshtein(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"R7", "R", 1},
		{"R7", "R2", 1},
		{"kitten", "sitting", 3},
		{"二类居往用地", "二类居住用地", 1},
		{"禁止开发区", "禁止开发地区", 1},
	}
	for _, tt := range tests {
		t.Run(tt.a+"/"+tt.b, func(t *testing.T) {
			if got := levenshtein([]rune(tt.a), []rune(tt.b)); got != tt.want {
				t.Errorf("levenshtein(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := levenshtein([]rune(tt.b), []rune(tt.a)); got != tt.want {
				t.Errorf("levenshtein(%q, %q) = %d, want %d", tt.b, tt.a, got, tt.want)
			}
		})
	}
}

// TestLookupClassConcurrent runs first lookups from many goroutines; run
// with -race.
func TestLookupClassConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := LookupClass(CityMaster, "", "R2"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

func ExampleLookupClass() {
	c, err := LookupClass(CityMaster, "", "r2")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c, c.Category.Has(CategoryConstruction|CategoryUrbanBuilt))

	c, _ = LookupClass(LandUse, "", "基本农田保护区")
	fmt.Println(c.Code, c.Category.Has(CategoryBasicFarmland))

	c, _ = LookupClass(Infrastructure, "", "铁路")
	fmt.Println(c.Code, c.DefaultWidthM)

	_, err = LookupClass(CityMaster, "", "二类居往用地")
	fmt.Println(err)
	// Output:
	// R2 二类居住用地 true
	// 010 true
	// rail 30
	// planning: unknown city-master class "二类居往用地" (GB 50137-2011); did you mean "二类居住用地"?
}
