"""The server-side SVG charts (firm.lib.svg): pure, no database."""

import xml.etree.ElementTree as ET

from firm.lib.svg import Bar, bar_chart, column_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def heights(root) -> list[float]:
    return [float(rect.get("height")) for rect in root.iter(f"{SVG}rect")]


def test_a_column_chart_is_an_accessible_image_with_a_title():
    root = parse(column_chart([Bar("gen", 50, "50%")], title="Quota", maximum=100))
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Quota"
    assert root.find(f"{SVG}title").text == "Quota"
    assert "chart-columns" in root.get("class")


def test_columns_are_scaled_to_the_maximum_and_a_month_without_data_has_no_bar():
    root = parse(
        column_chart(
            [Bar("gen", 100), Bar("feb", 50), Bar("mar", None), Bar("apr", 0)],
            title="t",
            maximum=100,
        )
    )
    first, second, fourth = heights(root)
    assert first == 2 * second and fourth == 0
    labels = [text.text for text in root.iter(f"{SVG}text") if text.get("class") == "label"]
    assert labels == ["gen", "feb", "mar", "apr"]


def test_bars_are_scaled_to_the_largest_value_with_their_text():
    root = parse(bar_chart([Bar("A", 300, "0:05:00"), Bar("B", 150, "0:02:30")], title="t"))
    widths = [float(rect.get("width")) for rect in root.iter(f"{SVG}rect")]
    assert widths[0] == 2 * widths[1] > 0
    texts = [text.text for text in root.iter(f"{SVG}text")]
    assert texts == ["A", "0:05:00", "B", "0:02:30"]


def test_labels_and_titles_are_escaped():
    svg = bar_chart([Bar("<b>Rossi & Figli</b>", 1, '"x"')], title="<script>")
    assert "<b>" not in svg and "<script>" not in svg
    root = parse(svg)
    assert [text.text for text in root.iter(f"{SVG}text")] == ["<b>Rossi & Figli</b>", '"x"']


def test_no_style_attribute_for_the_content_security_policy():
    svg = column_chart([Bar("a", 1, "1")], title="t") + bar_chart([Bar("a", 1, "1")], title="t")
    assert "style=" not in svg


def test_all_zero_values_draw_empty_bars_without_dividing_by_zero():
    root = parse(bar_chart([Bar("A", 0)], title="t"))
    assert heights(root) and float(next(root.iter(f"{SVG}rect")).get("width")) == 0
