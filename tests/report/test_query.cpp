#include <catch2/catch.hpp>

#include <fstream>

#include "framework/report/query.h"
#include "framework/store/store.h"
#include "report/fixture_db.h"
#include "support/tmp.h"

using namespace adaptlab;

TEST_CASE("query: a read-only statement as a table, CSV and JSON", "[report]") {
  const auto dir = test::fresh_dir("query");
  const auto db = test::make_report_db(dir + "/mini.sqlite");
  const auto r = run_query(db,
                           "SELECT methods, count(*) AS n, round(avg(value), 4) AS acc, NULL AS missing FROM runs "
                           "JOIN summary ON summary.study = runs.study AND summary.run_id = runs.id "
                           "WHERE name = 'test.acc' AND dataset = 'eurosat' GROUP BY methods ORDER BY methods;");
  CHECK(format_query_table(r) ==
        "methods  n  acc    missing\n"
        "-------  -  -----  -------\n"
        "adapter  3   0.95  NULL   \n"
        "linear   3    0.9  NULL   \n"
        "lora     2  0.955  NULL   \n"
        "(3 rows)\n");
  CHECK(format_query_csv(r) == "methods,n,acc,missing\nadapter,3,0.95,\nlinear,3,0.9,\nlora,2,0.955,\n");
  CHECK(format_query_json(r) ==
        "[{\"methods\":\"adapter\",\"n\":3,\"acc\":0.95,\"missing\":null},\n"
        " {\"methods\":\"linear\",\"n\":3,\"acc\":0.9,\"missing\":null},\n"
        " {\"methods\":\"lora\",\"n\":2,\"acc\":0.955,\"missing\":null}]\n");
}

TEST_CASE("query: writes are refused and the database is unchanged", "[report]") {
  const auto dir = test::fresh_dir("query-ro");
  const auto db = test::make_report_db(dir + "/mini.sqlite");
  for (const char* sql : {"DELETE FROM runs", "UPDATE runs SET status = 'failed'", "DROP TABLE metrics",
                          "INSERT INTO studies(name, created_at) VALUES ('x', 'y')", "CREATE TABLE t(x)"}) {
    INFO(sql);
    REQUIRE_THROWS_WITH(run_query(db, sql),
                        Catch::StartsWith("query: refusing a statement that writes to the database ('") &&
                            Catch::EndsWith("'); `adaptlab query` is read-only"));
  }
  REQUIRE_THROWS_WITH(run_query(db, "SELECT 1; DELETE FROM runs"),
                      "query: give exactly one SQL statement (found more after: ' DELETE FROM runs')");
  REQUIRE_THROWS_WITH(run_query(db, "SELEKT 1"), Catch::StartsWith("query: near \"SELEKT\": syntax error"));
  Store s(db, /*read_only=*/true);
  CHECK(s.count("runs") == 27);
  CHECK(s.count("metrics") == 26 * 5);
  // A file that is not an adaptlab database is refused before any SQL runs.
  const auto other = test::write_file(dir, "notes.sqlite", "hello");
  REQUIRE_THROWS_WITH(run_query(other, "SELECT 1"), Catch::Contains("notes.sqlite"));
}

TEST_CASE("query: rows are capped, so an endless statement ends with a message", "[report]") {
  const auto dir = test::fresh_dir("query-cap");
  const auto db = test::make_report_db(dir + "/mini.sqlite");
  const std::string endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c";
  REQUIRE_THROWS_WITH(run_query(db, endless, 1000), "query: more than 1000 rows; add a LIMIT or raise --max-rows");
  CHECK(run_query(db, endless + " LIMIT 1000", 1000).rows.size() == 1000);
}
