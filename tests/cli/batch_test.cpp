#include "cli/batch.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cli/json_reader.hpp"

using namespace swarm::cli;

namespace {

BatchRun ok_run(std::size_t group, std::vector<std::pair<std::string, double>> kpis) {
    BatchRun r;
    r.job.group = group;
    r.status = RunStatus::kOk;
    r.kpis = std::move(kpis);
    return r;
}

}  // namespace

TEST_CASE("summary kpis are read generically from the run json") {
    const auto kpis = read_summary_kpis(
        R"({"command": "run", "run": {"seed": 1}, "kpis": {"created": 10, "new_kpi": 2.5,
            "by": {"x": 1}, "hist": {"counts": [1, 2]}}})");
    REQUIRE(kpis.size() == 3);
    CHECK(kpis[0].first == "created");
    CHECK(kpis[1].first == "new_kpi");
    CHECK(kpis[2].first == "by.x");
    CHECK_THROWS_AS((void)read_summary_kpis(R"({"run": {}})"), JsonError);
}

TEST_CASE("aggregate takes the union of kpi keys and counts failures per group") {
    BatchResult result;
    result.runs.push_back(ok_run(0, {{"a", 1.0}, {"b", 10.0}}));
    result.runs.push_back(ok_run(0, {{"a", 3.0}, {"b", 20.0}}));
    BatchRun failed;
    failed.job.group = 0;
    failed.status = RunStatus::kFailed;
    result.runs.push_back(failed);
    result.runs.push_back(ok_run(1, {{"a", 5.0}, {"c", 7.0}}));
    BatchRun failed1;
    failed1.job.group = 2;
    failed1.status = RunStatus::kFailed;
    result.runs.push_back(failed1);

    const auto rows = aggregate(result, 3);
    REQUIRE(rows.size() == 9);  // 3 groups x {a, b, c}
    CHECK(rows[0].kpi == "a");
    CHECK(rows[0].stats.n == 2);
    CHECK(rows[0].stats.mean == 2.0);
    CHECK(rows[0].failed == 1);
    CHECK(rows[1].kpi == "b");
    CHECK(rows[1].stats.mean == 15.0);
    CHECK(rows[2].kpi == "c");
    CHECK(rows[2].stats.n == 0);
    CHECK(rows[5].kpi == "c");
    CHECK(rows[5].stats.mean == 7.0);
    CHECK(rows[5].failed == 0);
    // a group whose every run failed keeps its rows, with n = 0
    CHECK(rows[6].group == 2);
    CHECK(rows[6].stats.n == 0);
    CHECK(rows[6].failed == 1);
}

TEST_CASE("batch outputs write a manifest and one csv row per group and kpi") {
    const auto dir = std::filesystem::temp_directory_path() / "swarm_batch_test";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    BatchResult result;
    result.runs.push_back(ok_run(0, {{"a", 1.0}}));
    result.runs.back().job.id = "0000";
    result.runs.push_back(ok_run(0, {{"a", 2.0}}));
    result.runs.back().job.id = "0001";
    BatchRun failed;
    failed.job = {"0002", 1, {"k=x,y"}, 3, {}};
    failed.status = RunStatus::kFailed;
    failed.exit_code = 1;
    failed.error = "exit code 1: \"boom\"";
    result.runs.push_back(failed);
    BatchReport report;
    report.command = "sweep";
    report.columns = {"k"};
    report.groups = {{{"k", "1"}}, {{"k", "x,y"}}};
    BatchOptions options;
    const auto rows = aggregate(result, 2);
    write_batch_outputs(dir, report, options, result, rows);

    std::ifstream csv(dir / "summary.csv");
    std::stringstream text;
    text << csv.rdbuf();
    CHECK(text.str() ==
          "k,kpi,mean,std,ci95_low,ci95_high,n,failed\n"
          "1,a,1.5,0.70710678118654757,-4.8531023680873489,7.8531023680873489,2,0\n"
          "\"x,y\",a,,,,,0,1\n");
    std::ifstream manifest(dir / "manifest.json");
    std::stringstream m;
    m << manifest.rdbuf();
    const Json doc = parse_json(m.str());
    CHECK(doc["status"].get<std::string>() == "failed");
    const Json& runs = doc["runs"];
    REQUIRE(runs.size() == 3);
    CHECK(runs[2]["error"].get<std::string>() == "exit code 1: \"boom\"");
    CHECK(runs[2]["exit_code"].get<double>() == 1.0);
    CHECK(runs[2]["seed"].get<double>() == 3.0);
    std::filesystem::remove_all(dir);
}

TEST_CASE("text hash is fnv1a 64") {
    CHECK(text_hash("") == "0xcbf29ce484222325");
    CHECK(text_hash("a") == "0xaf63dc4c8601ec8c");
}

TEST_CASE("tables lead with the headline kpis and keep the rest for --all") {
    BatchResult result;
    result.runs.push_back(
        ok_run(0, {{"created", 10}, {"veh_km", 5}, {"cost", 7}, {"on_time_in_full_pct", 90}}));
    result.runs.push_back(
        ok_run(1, {{"created", 11}, {"veh_km", 6}, {"cost", 8}, {"on_time_in_full_pct", 80}}));
    const std::vector<KpiRow> rows = aggregate(result, 2);
    REQUIRE(rows.size() == 8);

    const std::vector<KpiRow> head = table_rows(rows, false);
    REQUIRE(head.size() == 4);
    // per group: on-time before cost (headline order), nothing else
    CHECK(head[0].group == 0);
    CHECK(head[0].kpi == "on_time_in_full_pct");
    CHECK(head[0].stats.mean == doctest::Approx(90));
    CHECK(head[1].kpi == "cost");
    CHECK(head[2].group == 1);
    CHECK(head[2].kpi == "on_time_in_full_pct");
    CHECK(head[3].kpi == "cost");
    CHECK(head[3].stats.mean == doctest::Approx(8));

    const std::vector<KpiRow> all = table_rows(rows, true);
    REQUIRE(all.size() == 8);
    const char* order[] = {"on_time_in_full_pct", "cost", "created", "veh_km"};
    for (std::size_t i = 0; i < all.size(); ++i) {
        CHECK(all[i].group == i / 4);
        CHECK(all[i].kpi == order[i % 4]);
    }
    // the headline list names what the issue asks for
    const std::vector<std::string>& h = headline_kpis();
    for (const char* k : {"time_to_recover_s", "price_of_decentralization", "price_vs_oracle",
                          "decision_latency_mean_s", "breakdowns"}) {
        CHECK(std::find(h.begin(), h.end(), k) != h.end());
    }
}
