package cpi.theory;

import cpi.util.UserError;

/** Which weights gradient descent moves: the key-query matrix only (W_V frozen, Prop. 1) or both. */
public enum TrainMode {
    KQ("kq"),
    KQ_V("kq+v");

    private final String flag;

    TrainMode(String flag) {
        this.flag = flag;
    }

    public String flag() {
        return flag;
    }

    public boolean trainsValue() {
        return this == KQ_V;
    }

    public static TrainMode parse(String s) {
        for (TrainMode m : values()) {
            if (m.flag.equalsIgnoreCase(s.trim())) {
                return m;
            }
        }
        throw new UserError("--train: unknown value '" + s + "' (use kq or kq+v)");
    }

    @Override
    public String toString() {
        return flag;
    }
}
