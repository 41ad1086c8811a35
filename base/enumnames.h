#pragma once
// Reading an enum back from its text name (CLI words, file fields) with the one function that
// writes the name, so each enum's names stand in one place: its toString-style switch, which
// the compiler checks for missing values. Header-only.
// Contract: enumFromName() returns the first of `values` whose nameOf(value) equals `name`
// exactly (callers trim or fold case first where their input allows it), or nothing.

#include <QString>
#include <QStringView>

#include <initializer_list>
#include <optional>

namespace tracemap {

template<typename E, typename NameOf>
std::optional<E> enumFromName(std::initializer_list<E> values, QStringView name, NameOf nameOf)
{
    for (E value : values) {
        if (nameOf(value) == name)
            return value;
    }
    return std::nullopt;
}

} // namespace tracemap
