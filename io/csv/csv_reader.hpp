// A strict RFC 4180 CSV reader that knows where every cell is: tables planners keep (depots,
// vehicles, orders; docs/inputs.md) are read with file:line:column for each cell, so every
// bad value can be named. Strict: a header row; every row as many fields as the header;
// quotes only around a whole field ("" inside for a quote); CRLF or LF line ends; a UTF-8
// byte order mark at the start is skipped; blank lines are skipped. (Debian's libcsv reports
// no positions, which the error messages need.)
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace swarm::io {

// what(): "file:line:column: error: message"
class CsvError : public std::runtime_error {
  public:
    CsvError(std::string file, std::uint32_t line, std::uint32_t column, std::string message,
             bool io = false);
    [[nodiscard]] const std::string& file() const { return file_; }
    [[nodiscard]] std::uint32_t line() const { return line_; }
    [[nodiscard]] std::uint32_t column() const { return column_; }
    [[nodiscard]] const std::string& message() const { return message_; }
    [[nodiscard]] bool io() const { return io_; }

  private:
    std::string file_;
    std::uint32_t line_;
    std::uint32_t column_;
    std::string message_;
    bool io_;
};

struct CsvCell {
    std::string text;  // unquoted
    std::uint32_t line = 0;
    std::uint32_t column = 0;  // 1-based, in bytes, of the field's first character
};

struct CsvTable {
    std::string file;
    std::vector<CsvCell> header;
    std::vector<std::vector<CsvCell>> rows;  // each as long as the header

    // the header index of a column, or -1
    [[nodiscard]] int column(std::string_view name) const;
};

// files larger than this are refused before they are read
inline constexpr std::uintmax_t kMaxCsvBytes = 256u << 20;

// parses `text`; `file` names it in errors. Throws CsvError.
CsvTable parse_csv(std::string_view text, const std::string& file);
// reads and parses a file (CsvError with io() for a file that cannot be read)
CsvTable read_csv(const std::filesystem::path& file);

}  // namespace swarm::io
