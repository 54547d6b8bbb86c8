adaptlab_component(dataset NAMES glue SOURCES glue.cpp glue_file.cpp glue_tasks.cpp)
