package rules

import (
	"context"

	"github.com/plancheck/plancheck/planning"
)

// Input rules turn the problems found while loading a plan set (structure,
// geometry, attributes, CRS) into findings. validate and check both run
// all of them: whatever validate finds is in check's report too, and a
// rules file cannot disable them.

// inputRuleNames name the rule each kind of input problem is reported
// under.
var inputRuleNames = map[planning.Check]string{
	planning.CheckGeometryInvalid: RuleGeometryInvalid,
	planning.CheckFeatureInvalid:  "feature-invalid",
	planning.CheckAttribute:       "attribute-invalid",
	planning.CheckDuplicateID:     "id-duplicate",
	planning.CheckNullGeometry:    RuleGeometryNull,
	planning.CheckWinding:         "winding-order",
	planning.CheckCRS:             "crs-suspect",
	planning.CheckDisjoint:        "layers-disjoint",
	planning.CheckLayerEmpty:      "layer-empty",
	planning.CheckSameFile:        "layers-same-file",
	planning.CheckFieldMissing:    "field-missing",
	planning.CheckSourceNote:      "source-note",
}

// Names of the input rules other rules and reports refer to.
const (
	RuleGeometryInvalid = "geometry-invalid"
	RuleGeometryNull    = "geometry-null"
)

func inputRule(check planning.Check, sev Severity, doc Doc) *Rule {
	return &Rule{Name: inputRuleNames[check], Severity: sev, Doc: doc, Run: func(ctx context.Context, pass *Pass) error {
		for _, is := range pass.Set.Issues {
			if is.Check == check {
				pass.Report(issueFinding(is, doc))
			}
		}
		return nil
	}}
}

// issueFinding reports an input problem. Its English message is the
// problem's; its Chinese one is the rule's Chinese title, a full-width
// colon and the problem's Chinese text, which says the same where and why
// ("要素几何无效：外环自相交，位于 112.93 28.19 附近").
// Report gives it the rule's name and severity.
func issueFinding(is planning.Issue, doc Doc) Finding {
	f := Finding{
		Layers:    []string{is.Layer},
		Message:   is.Message,
		MessageZH: doc.TitleZH + "：" + is.MessageZH,
		Location:  Location{File: is.File, Line: is.Line},
		At:        is.At,
		Geometry:  is.Geometry,
	}
	if is.Feature >= 0 {
		f.Features = []string{is.ID}
		f.Classes = []string{is.Class}
	}
	return f
}

// GeometryInvalid reports features whose geometry cannot take part in any
// rule.
var GeometryInvalid = inputRule(planning.CheckGeometryInvalid, Error, Doc{
	Title:   `feature geometry is invalid`,
	TitleZH: `要素几何无效`,
	Detects: `Reports, once per feature, a geometry that cannot be used: a wrong geometry type for the layer's level (a LineString in a polygon layer), a ring with fewer than 4 positions or not closed, a coordinate out of range or not finite, or an OGC-invalid geometry (self-intersection, a ring touching itself, a hole outside its shell, overlapping parts of a MultiPolygon, a spike where a ring doubles back). The message says "at or near lon lat".`,
	Why:     `Such a feature takes part in no other rule: overlay engines silently return wrong areas for invalid rings, and a conflict computed from them would mislead.`,
	Fix:     `Repair the geometry in the source GIS (e.g. QGIS "Check validity", ST_MakeValid) and submit it again; plancheck repairs nothing.`,
	TextZH:  `几何无效（类型不符、环未闭合或点数不足、坐标越界、自相交、内环在外环之外、多面重叠、尖刺等），该要素不参与其他检查。请在源数据中修复后重新提交。`,
})

var featureInvalid = inputRule(planning.CheckFeatureInvalid, Error, Doc{
	Title:   `feature structure is not GeoJSON`,
	TitleZH: `要素结构不符合 GeoJSON`,
	Detects: `Reports a feature whose JSON structure breaks RFC 7946 outside its geometry: a type other than "Feature", properties that are not an object, an id that is neither a string nor a number.`,
	Why:     `Tools disagree on how to read such features, so the plan set is not reproducible.`,
	Fix:     `Export the layer again with a GeoJSON writer (QGIS, ogr2ogr).`,
	TextZH:  `要素结构不符合 GeoJSON 规范（RFC 7946），请用标准工具重新导出。`,
})

var attributeInvalid = inputRule(planning.CheckAttribute, Error, Doc{
	Title:   `feature attribute is missing or invalid`,
	TitleZH: `要素属性缺失或无效`,
	Detects: `Reports a missing or unknown class code for the layer's level (with the nearest known code), a year that is not an integer, a start year after the end year, or a corridor width that is not a positive number of metres.`,
	Why:     `Rules select features by class and years; a feature with an unknown class takes part in no class-based rule.`,
	Fix:     `Correct the attribute, or map the layer's field names with fields: in plancheck.yaml.`,
	TextZH:  `属性缺失或无效（用地代码未知、年份非整数、起止年份颠倒、宽度非正数），请更正或在清单中配置字段映射。`,
})

var idDuplicate = inputRule(planning.CheckDuplicateID, Error, Doc{
	Title:   `feature id is used twice in a layer`,
	TitleZH: `图层内要素编号重复`,
	Detects: `Reports a feature whose id (the Feature id member, the mapped id field, or property id) repeats an earlier feature's id in the same layer.`,
	Why:     `Findings, fingerprints and ledgers name features by id; duplicates make them ambiguous.`,
	Fix:     `Give every feature a unique id.`,
	TextZH:  `同一图层内要素编号重复，请保证编号唯一。`,
})

var geometryNull = inputRule(planning.CheckNullGeometry, Warning, Doc{
	Title:   `feature has no geometry`,
	TitleZH: `要素几何为空`,
	Detects: `Reports a feature whose geometry is null. RFC 7946 allows it, but the feature takes part in no rule.`,
	Fix:     `Add the geometry or drop the feature.`,
	TextZH:  `要素几何为空，不参与检查。`,
})

var windingOrder = inputRule(planning.CheckWinding, Warning, Doc{
	Title:   `polygon rings break the right-hand rule`,
	TitleZH: `多边形环方向不符合右手法则`,
	Detects: `Reports, once per layer, polygons whose exterior rings are clockwise or whose holes are counter-clockwise. RFC 7946 asks for the right-hand rule but tells parsers not to reject other windings, so the features are used as they are.`,
	Fix:     `Export with the right-hand rule (ogr2ogr -lco RFC7946=YES).`,
	TextZH:  `多边形环方向不符合右手法则（外环应为逆时针），按原样使用。`,
})

var crsSuspect = inputRule(planning.CheckCRS, Warning, Doc{
	Title:   `layer coordinate reference system is suspect`,
	TitleZH: `图层坐标系可疑`,
	Detects: `Reports an old-style crs member (honoured, with a warning), a crs member that disagrees with the manifest, a layer declared geographic whose coordinates look projected (metres), or a layer whose linework sits a few hundred metres from the other layers' as if traced on a GCJ-02 or BD-09 basemap (高德 and 腾讯 maps use GCJ-02, Baidu BD-09).`,
	Why:     `A wrong CRS moves every feature; conflicts computed from it are meaningless.`,
	Fix:     `Declare the layer's crs in plancheck.yaml (EPSG:4326, 4490, 4513–4554, GCJ-02 or BD-09 for a layer traced on such a basemap).`,
	TextZH:  `坐标系可疑（旧式 crs 成员、与清单不一致、地理坐标系下出现投影坐标，或图层整体偏移数百米，如在高德、腾讯（GCJ-02）或百度（BD-09）底图上描绘），请在清单中声明正确的 crs。`,
})

var layersDisjoint = inputRule(planning.CheckDisjoint, Warning, Doc{
	Title:   `layer overlaps no other layer of the set`,
	TitleZH: `图层与其他图层均不相交`,
	Detects: `Reports a layer whose extent meets no other layer's extent: the usual sign of a wrong CRS or a file from another area.`,
	Fix:     `Check the layer's crs and that it belongs to this plan set.`,
	TextZH:  `图层范围与其他图层均不相交，通常是坐标系错误。`,
})

var layerEmpty = inputRule(planning.CheckLayerEmpty, Warning, Doc{
	Title:   `layer has no features`,
	TitleZH: `图层没有要素`,
	Detects: `Reports a layer whose file holds no feature (an empty FeatureCollection). Nothing of the layer takes part in any rule, so a check of the set reads as clean for it.`,
	Fix:     `Point the manifest at the right file, or export the layer again.`,
	TextZH:  `图层文件没有任何要素，该图层未参与检查，请核对文件。`,
})

var sourceNote = inputRule(planning.CheckSourceNote, Warning, Doc{
	Title:   `how a layer in another format was read`,
	TitleZH: `非 GeoJSON 图层的读取说明`,
	Detects: `Reports what reading a layer that is not GeoJSON had to decide: a Shapefile whose .dbf has no .cpg read as GBK or UTF-8 (the one its bytes fit), records the .dbf marks deleted skipped, a value not of its field's type read as text. Nothing is dropped silently; the layer is checked as read.`,
	Fix:     `Add a .cpg naming the code page (e.g. GBK or UTF-8), or export the layer again.`,
	TextZH:  `非 GeoJSON 图层读取说明（如 Shapefile 缺少 .cpg 时按 GBK 或 UTF-8 解码、跳过已删除记录），请核对并补充 .cpg。`,
})

var layersSameFile = inputRule(planning.CheckSameFile, Warning, Doc{
	Title:   `two layers read the same file`,
	TitleZH: `两个图层读取同一文件`,
	Detects: `Reports a layer whose file is the file of an earlier layer of the manifest (the same path, a link to it, or a copy with the same content). Every conflict between the two is then reported twice, and the layer overlaps itself.`,
	Fix:     `List each file once in plancheck.yaml.`,
	TextZH:  `清单中两个图层读取同一文件（或内容相同的文件），冲突将重复报告，请只列一次。`,
})

var fieldMissing = inputRule(planning.CheckFieldMissing, Warning, Doc{
	Title:   `feature lacks a property the manifest maps`,
	TitleZH: `要素缺少清单映射的属性`,
	Detects: `Reports a feature without the property a fields: entry of its layer names (fields: {id: OBJECTID} and a feature without OBJECTID). A feature without its mapped id is named by its position (#12), which changes when features are added; one without mapped years or width takes no part in the rules that need them. A mapped class that is missing is an attribute-invalid error instead, and a mapped property that no feature has stops the run (the mapping is wrong).`,
	Fix:     `Fill in the property, or correct fields: in plancheck.yaml.`,
	TextZH:  `要素缺少清单 fields 映射的属性（如编号字段），请补全属性或更正映射。`,
})

// InputRules returns the input checks validate runs (check runs them too),
// in report order.
func InputRules() []*Rule {
	return append([]*Rule{GeometryInvalid}, inputErrorRules()...)
}

// inputErrorRules are the input checks besides geometry-invalid, which a
// check run reports after the built-in Go rules.
func inputErrorRules() []*Rule {
	return []*Rule{featureInvalid, attributeInvalid, idDuplicate, geometryNull, windingOrder, crsSuspect, layersDisjoint,
		layerEmpty, layersSameFile, fieldMissing, sourceNote, SelectorUnmatched}
}

// isInputRule reports whether name is an input check, which a rules file
// may neither disable nor reuse.
func isInputRule(name string) bool {
	return Lookup(InputRules(), name) != nil
}
