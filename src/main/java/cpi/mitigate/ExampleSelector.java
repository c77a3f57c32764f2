package cpi.mitigate;

import cpi.train.IftExample;

import java.util.List;

/** Splits an instruction-finetuning mixture into kept and dropped examples (one mitigation per class). */
public interface ExampleSelector {
    FilterResult select(List<IftExample> examples);
}
