// Markdown, LaTeX (booktabs), CSV and HTML renderings of a TableModel.
#include <fmt/format.h>

#include <functional>

#include "framework/report/escape.h"
#include "framework/report/table.h"

namespace adaptlab {
namespace {

struct Style {
  std::function<std::string(const std::string&)> bold, escape;
  std::string pm, dash, delta = "Δ";
  std::string minus = "-";  // the sign of negative numbers ("$-$" in LaTeX: a minus, not a hyphen)
  std::string noisy = "†";  // after a timed figure whose measurement stayed noisy (TableCell::noisy)
};

// A number with `precision` digits (and a + for positive ones when `sign`), its minus sign styled.
std::string num(double v, int precision, const Style& s, bool sign = false) {
  std::string out = sign ? fmt::format("{:+.{}f}", v, precision) : fmt::format("{:.{}f}", v, precision);
  if (!out.empty() && out[0] == '-') out = s.minus + out.substr(1);
  return out;
}

// "mean ± std" (seeds > 1), "(n=k)" when seeds are missing, then "(paper p, Δ d)" with a reference
// (inline style; with reference columns the paper and Δ go to their own cells).
std::string cell_text(const TableModel& t, const TableCell& c, int precision, const Style& s, bool inline_ref = true) {
  const bool ref = c.ref && inline_ref;
  if (!c.has) return ref ? fmt::format("{} (paper {})", s.dash, num(*c.ref, precision, s)) : s.dash;
  std::string v = num(c.agg.mean, precision, s);
  if (c.agg.n > 1) v += s.pm + num(c.agg.std, precision, s);
  if (c.best) v = s.bold(v);
  if (c.noisy > 0) v += s.noisy;
  if (c.agg.n > 0 && c.agg.n < t.full_n) v += fmt::format(" (n={})", c.agg.n);
  if (ref)
    v += fmt::format(" (paper {}, {} {})", num(*c.ref, precision, s), s.delta,
                     num(c.agg.mean - *c.ref, precision, s, true));
  return v;
}

bool ref_columns(const TableModel& t, size_t c) {
  return t.reference_columns && c < t.column_has_reference.size() && t.column_has_reference[c];
}

std::vector<std::string> header(const TableModel& t, const std::string& delta = "Δ") {
  std::vector<std::string> h = {"method"};
  for (size_t c = 0; c < t.columns.size(); ++c) {
    h.push_back(t.columns[c]);
    if (ref_columns(t, c)) {
      h.push_back("paper");
      h.push_back(delta);
    }
  }
  for (const auto& g : t.groups) h.push_back(g + " mean");
  if (t.overall) h.push_back("mean");
  for (const auto& e : t.extras) h.push_back(e.name);
  return h;
}

std::vector<std::string> row_cells(const TableModel& t, const TableModel::Row& r, const Style& s) {
  std::vector<std::string> out = {s.escape(r.name)};
  for (size_t k = 0; k < r.cells.size(); ++k) {
    const TableCell& c = r.cells[k];
    out.push_back(cell_text(t, c, t.precision, s, !t.reference_columns));
    if (ref_columns(t, k)) {
      out.push_back(c.ref ? num(*c.ref, t.precision, s) : s.dash);
      out.push_back(c.ref && c.has ? num(c.agg.mean - *c.ref, t.precision, s, true) : s.dash);
    }
  }
  for (const auto& c : r.group_cells) out.push_back(cell_text(t, c, t.precision, s));
  if (t.overall) out.push_back(cell_text(t, r.overall, t.precision, s));
  for (size_t e = 0; e < r.extras.size(); ++e) out.push_back(cell_text(t, r.extras[e], t.extras[e].precision, s));
  return out;
}


}  // namespace

std::string render_markdown(const TableModel& t) {
  const Style s{[](const std::string& x) { return "**" + x + "**"; },
                [](const std::string& x) {
                  std::string o;
                  for (char c : x) o += c == '|' ? std::string("\\|") : std::string(1, c);
                  return o;
                },
                " ± ", "—"};
  const auto h = header(t);
  std::string out = "| " + fmt::format("{}", fmt::join(h, " | ")) + " |\n|";
  for (size_t i = 0; i < h.size(); ++i) out += "---|";
  out += "\n";
  for (const auto& r : t.rows) out += "| " + fmt::format("{}", fmt::join(row_cells(t, r, s), " | ")) + " |\n";
  // Pandoc's caption syntax: the report mode is never left out.
  if (!t.caption.empty()) out += "\nTable: " + t.caption + "\n";
  if (!t.notes.empty()) {
    out += "\nSettings selected:\n\n";
    for (const auto& n : t.notes) out += "- " + n + "\n";
  }
  if (!t.noise_notes.empty()) {
    out += "\n† noisy measurements:\n\n";
    for (const auto& n : t.noise_notes) out += "- " + n + "\n";
  }
  if (!t.reference_source.empty()) out += "\npaper: " + t.reference_source + "\n";
  return out;
}

std::string render_latex(const TableModel& t) {
  auto esc = [](const std::string& x) {
    std::string o;
    for (char c : x) {
      switch (c) {
        case '&': case '%': case '$': case '#': case '_': case '{': case '}': o += std::string("\\") + c; break;
        case '~': o += "\\textasciitilde{}"; break;
        case '^': o += "\\textasciicircum{}"; break;
        case '\\': o += "\\textbackslash{}"; break;
        default: o += c;
      }
    }
    return o;
  };
  const Style s{[](const std::string& x) { return "\\textbf{" + x + "}"; }, esc, "$\\pm$", "--", "$\\Delta$", "$-$",
                "$^\\dagger$"};
  const auto h = header(t, "$\\Delta$");
  std::string out = "\\begin{tabular}{l" + std::string(h.size() - 1, 'c') + "}\n\\toprule\n";
  if (!t.groups.empty()) {
    // A first header row spanning each group's columns (columns are listed group by group).
    // A column with reference columns is three wide (value, paper, Δ).
    std::string line = " ";
    size_t c = 0, at = 2;  // at: the LaTeX column where the group starts (1 is the method)
    std::string rules;
    while (c < t.columns.size()) {
      size_t e = c, width = 0;
      while (e < t.columns.size() && t.column_group[e] == t.column_group[c]) width += ref_columns(t, e++) ? 3 : 1;
      line += fmt::format(" & \\multicolumn{{{}}}{{c}}{{{}}}", width, esc(t.column_group[c]));
      if (!t.column_group[c].empty()) rules += fmt::format("\\cmidrule(lr){{{}-{}}}", at, at + width - 1);
      at += width;
      c = e;
    }
    for (size_t k = at - 1; k < h.size(); ++k) line += " & ";
    out += line + " \\\\\n" + rules + "\n";
  }
  std::vector<std::string> he;
  for (const auto& x : h) he.push_back(x == "$\\Delta$" ? x : esc(x));
  out += fmt::format("{} \\\\\n\\midrule\n", fmt::join(he, " & "));
  for (const auto& r : t.rows) out += fmt::format("{} \\\\\n", fmt::join(row_cells(t, r, s), " & "));
  out += "\\bottomrule\n";
  // The paper's numbers say where they come from, under the table.
  const auto under = [&](const std::string& text) {
    out += fmt::format("\\multicolumn{{{}}}{{l}}{{\\footnotesize {}}} \\\\\n", h.size(), esc(text));
  };
  if (!t.caption.empty()) under(t.caption);
  for (const auto& n : t.notes) under("selected: " + n);
  for (const auto& n : t.noise_notes) out += fmt::format("\\multicolumn{{{}}}{{l}}{{\\footnotesize $^\\dagger$ {}}} \\\\\n", h.size(), esc(n));
  if (!t.reference_source.empty()) under("paper: " + t.reference_source);
  out += "\\end{tabular}\n";
  return out;
}

std::string render_csv(const TableModel& t) {
  const auto q = csv_field;
  auto num = [&](const TableCell& c, int p, bool with_std) {
    std::vector<std::string> v = {c.has ? fmt::format("{:.{}f}", c.agg.mean, p + 2) : ""};
    if (with_std) {
      v.push_back(c.has && c.agg.n > 1 ? fmt::format("{:.{}f}", c.agg.std, p + 2) : "");
      v.push_back(c.has ? std::to_string(c.agg.n) : "0");
      v.push_back(c.ref ? fmt::format("{:.{}f}", *c.ref, p + 2) : "");
      v.push_back(c.ref && c.has ? fmt::format("{:.{}f}", c.agg.mean - *c.ref, p + 2) : "");
    }
    return fmt::format("{}", fmt::join(v, ","));
  };
  const bool selected = !t.notes.empty();
  std::vector<std::string> h = {"method"};
  for (const auto& c : t.columns) {
    for (const char* suffix : {"", " std", " n", " paper", " delta"}) h.push_back(q(c + suffix));
    if (selected) h.push_back(q(c + " setting"));
  }
  for (const auto& g : t.groups) h.push_back(q(g + " mean"));
  if (t.overall) h.push_back("mean");
  for (const auto& e : t.extras) h.push_back(q(e.name));
  h.push_back("report");  // every row says which number it holds
  std::string out = fmt::format("{}\n", fmt::join(h, ","));
  for (const auto& r : t.rows) {
    std::vector<std::string> v = {q(r.name)};
    for (const auto& c : r.cells) {
      v.push_back(num(c, t.precision, true));
      if (selected) v.push_back(q(c.chosen));
    }
    for (const auto& c : r.group_cells) v.push_back(num(c, t.precision, false));
    if (t.overall) v.push_back(num(r.overall, t.precision, false));
    for (size_t e = 0; e < r.extras.size(); ++e) v.push_back(num(r.extras[e], t.extras[e].precision, false));
    v.push_back(q(t.report));
    out += fmt::format("{}\n", fmt::join(v, ","));
  }
  return out;
}

std::string render_html(const TableModel& t) {
  const auto esc = xml_escape;
  // Cell texts are numbers and fixed symbols; only names need escaping.
  const Style s{[](const std::string& x) { return "<b>" + x + "</b>"; }, esc, " ± ", "—"};
  std::string out =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + esc(t.study) + " — " + esc(t.metric) +
      "</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
      "th,td{padding:4px 10px;border-bottom:1px solid #ccc;text-align:right}th:first-child,td:first-child"
      "{text-align:left}thead th{border-bottom:2px solid #333}</style></head><body>\n<h1>" +
      esc(t.study) + "</h1>\n<p>metric: " + esc(t.metric) + "; mean ± sample std over seeds; " + esc(t.caption) + "</p>\n<table>\n<thead><tr>";
  for (const auto& x : header(t)) out += "<th>" + esc(x) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& r : t.rows) {
    out += "<tr>";
    for (const auto& c : row_cells(t, r, s)) out += "<td>" + c + "</td>";
    out += "</tr>\n";
  }
  out += "</tbody></table>\n";
  if (!t.notes.empty()) {
    out += "<p>Settings selected:</p>\n<ul>\n";
    for (const auto& n : t.notes) out += "<li>" + esc(n) + "</li>\n";
    out += "</ul>\n";
  }
  if (!t.noise_notes.empty()) {
    out += "<p>† noisy measurements:</p>\n<ul>\n";
    for (const auto& n : t.noise_notes) out += "<li>" + esc(n) + "</li>\n";
    out += "</ul>\n";
  }
  if (!t.reference_source.empty()) out += "<p>paper: " + esc(t.reference_source) + "</p>\n";
  out += "</body></html>\n";
  return out;
}

}  // namespace adaptlab
