#include "io/csv/csv_reader.hpp"

#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include "io/printable.hpp"

namespace swarm::io {

namespace {

std::string csv_what(const std::string& file, std::uint32_t line, std::uint32_t column,
                     const std::string& message) {
    std::string out = printable(file);
    if (line > 0) {
        out.append(":").append(std::to_string(line)).append(":").append(std::to_string(column));
    }
    out.append(": error: ").append(printable(message));
    return out;
}

}  // namespace

CsvError::CsvError(std::string file, std::uint32_t line, std::uint32_t column, std::string message,
                   bool io)
    : std::runtime_error(csv_what(file, line, column, message)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      message_(std::move(message)),
      io_(io) {}

int CsvTable::column(std::string_view name) const {
    for (std::size_t i = 0; i < header.size(); ++i) {
        if (header[i].text == name) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

CsvTable parse_csv(std::string_view text, const std::string& file) {
    CsvTable table;
    table.file = file;
    std::size_t i = 0;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") {
        i = 3;  // UTF-8 byte order mark (spreadsheets write one)
    }
    std::uint32_t line = 1;
    std::size_t line_start = i;  // columns count bytes from the line's start (after a BOM)
    const auto column_at = [&](std::size_t pos) {
        return static_cast<std::uint32_t>(pos - line_start + 1);
    };
    const auto fail = [&](std::size_t pos, const std::string& what) {
        throw CsvError(file, line, column_at(pos), what);
    };
    const auto end_of_line = [&](std::size_t pos) {
        return pos >= text.size() || text[pos] == '\n' || text[pos] == '\r';
    };
    // past a line end at pos (CRLF, LF or a lone CR)
    const auto next_line = [&](std::size_t pos) {
        if (pos < text.size() && text[pos] == '\r') {
            ++pos;
        }
        if (pos < text.size() && text[pos] == '\n') {
            ++pos;
        }
        ++line;
        line_start = pos;
        return pos;
    };
    bool have_header = false;
    while (i < text.size()) {
        if (end_of_line(i)) {
            i = next_line(i);  // a blank line
            continue;
        }
        std::vector<CsvCell> row;
        for (;;) {
            CsvCell cell;
            cell.line = line;
            cell.column = column_at(i);
            if (i < text.size() && text[i] == '"') {
                ++i;
                for (;;) {
                    if (i >= text.size()) {
                        throw CsvError(file, cell.line, cell.column,
                                       "a quoted field is not closed (a '\"' is missing)");
                    }
                    if (text[i] == '"') {
                        if (i + 1 < text.size() && text[i + 1] == '"') {
                            cell.text.push_back('"');
                            i += 2;
                            continue;
                        }
                        ++i;
                        break;
                    }
                    if (text[i] == '\n' ||
                        (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) {
                        cell.text.push_back(text[i]);
                        ++i;
                        ++line;
                        line_start = i;
                        continue;
                    }
                    cell.text.push_back(text[i++]);
                }
                if (!end_of_line(i) && text[i] != ',') {
                    fail(i,
                         "text after a quoted field's closing '\"' (quote the whole field, "
                         "\"\" for a quote inside)");
                }
            } else {
                while (!end_of_line(i) && text[i] != ',') {
                    if (text[i] == '"') {
                        fail(i,
                             "a '\"' inside an unquoted field (quote the whole field, \"\" "
                             "for a quote inside)");
                    }
                    cell.text.push_back(text[i++]);
                }
            }
            row.push_back(std::move(cell));
            if (i < text.size() && text[i] == ',') {
                ++i;
                continue;
            }
            break;
        }
        if (!have_header) {
            for (std::size_t c = 0; c < row.size(); ++c) {
                if (row[c].text.empty()) {
                    throw CsvError(file, row[c].line, row[c].column,
                                   "header column " + std::to_string(c + 1) + " has no name");
                }
                for (std::size_t k = 0; k < c; ++k) {
                    if (row[k].text == row[c].text) {
                        throw CsvError(file, row[c].line, row[c].column,
                                       "column '" + row[c].text + "' is in the header twice");
                    }
                }
            }
            table.header = std::move(row);
            have_header = true;
        } else {
            if (row.size() != table.header.size()) {
                const CsvCell& at =
                    row.size() > table.header.size() ? row[table.header.size()] : row.back();
                throw CsvError(file, at.line, at.column,
                               "this row has " + std::to_string(row.size()) +
                                   " fields, the header " + std::to_string(table.header.size()));
            }
            table.rows.push_back(std::move(row));
        }
        if (i < text.size()) {
            i = next_line(i);
        }
    }
    if (!have_header) {
        throw CsvError(file, 0, 0, "the file is empty: it needs a header row");
    }
    return table;
}

CsvTable read_csv(const std::filesystem::path& file) {
    const std::string name = file.string();
    std::error_code ec;
    const auto status = std::filesystem::status(file, ec);
    if (ec || !std::filesystem::exists(status)) {
        throw CsvError(name, 0, 0, "cannot read the file: it does not exist", true);
    }
    if (!std::filesystem::is_regular_file(status)) {
        throw CsvError(name, 0, 0, "cannot read the file: not a regular file", true);
    }
    const auto bytes = std::filesystem::file_size(file, ec);
    if (ec) {
        throw CsvError(name, 0, 0, "cannot read the file: " + ec.message(), true);
    }
    if (bytes > kMaxCsvBytes) {
        throw CsvError(name, 0, 0,
                       "the file has " + std::to_string(bytes) + " bytes; at most " +
                           std::to_string(kMaxCsvBytes) + " are read",
                       true);
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw CsvError(name, 0, 0, "cannot read the file", true);
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    return parse_csv(buf.str(), name);
}

}  // namespace swarm::io
