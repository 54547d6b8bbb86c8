// Escaping shared by the report writers.
#pragma once
#include <string>

namespace adaptlab {

// &, <, >, " as entities: text and attribute values in HTML and SVG.
std::string xml_escape(const std::string& text);

// An RFC 4180 CSV field: quoted (with doubled quotes) when it holds a comma, quote or line break.
std::string csv_field(const std::string& text);

}  // namespace adaptlab
