package cpi.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TorchScriptTest {
    @Test
    void sourceWritesTheSerializedModuleHeaderForTheNamedClass() {
        String expected = """
                class Twice(Module):
                  __parameters__ = []
                  __buffers__ = []
                  training : bool
                  def forward(self: __torch__.Twice,
                    x: Tensor) -> Tensor:
                    y = x + x
                    return y
                """;
        assertEquals(expected, TorchScript.source("Twice", " x: Tensor ", "Tensor", "\n  y = x + x\n  return y\n"));
    }
}
