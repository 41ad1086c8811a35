# map_bench: frame time of the map item while panning and insert-to-marker latency.
# Included from bench/CMakeLists.txt.
if(TARGET tracemap_map)
    find_package(Qt6 REQUIRED COMPONENTS Gui Quick)
    add_executable(map_bench ${CMAKE_CURRENT_LIST_DIR}/map_bench.cpp)
    target_link_libraries(map_bench PRIVATE tracemap_map Qt6::Gui Qt6::Quick)
    target_include_directories(map_bench PRIVATE ${PROJECT_SOURCE_DIR}/tests/common)
endif()
