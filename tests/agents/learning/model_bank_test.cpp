// ModelBank (agents/learning/model_bank.*): its weights into a checkpoint and out again, by
// shape.
#include "agents/learning/model_bank.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include "sim/state_archive.hpp"

using namespace swarm;
using learning::ModelBank;

TEST_CASE("model bank: weights saved and loaded, shapes checked") {
    ModelBank bank(4, 6);
    for (std::size_t i = 0; i < 4 * 6; ++i) {
        bank.data()[i] = 0.5F * static_cast<float>(i);
    }
    sim::StateArchive ar;
    {
        const auto s = ar.scope("bank");
        bank.save(ar);
    }
    CHECK(ar.arrays().at("bank/weights").kind == sim::ElementKind::kF32);
    CHECK(ar.arrays().at("bank/weights").count == 24);
    CHECK(ar.get_value<std::uint64_t>("bank/parameters") == 6);
    ModelBank loaded(4, 6);
    const auto s = ar.scope("bank");
    loaded.load(ar);
    CHECK(std::equal(bank.data(), bank.data() + 24, loaded.data()));
    ModelBank fewer(3, 6);
    CHECK_THROWS_WITH_AS(fewer.load(ar),
                         "checkpoint field 'bank/weights' holds 24 elements; this run has 18",
                         sim::CheckpointError);
    ModelBank reshaped(6, 4);  // as many weights, other models
    CHECK_THROWS_AS(reshaped.load(ar), sim::CheckpointError);
}
