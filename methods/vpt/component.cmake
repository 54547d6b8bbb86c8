adaptlab_component(method NAMES vpt SOURCES vpt.cpp)
