#include <dnnl.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#define CHECK(x) do{dnnl_status_t s=(x); if(s!=dnnl_success){printf("fail %s: %d\n",#x,s);exit(1);}}while(0)
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(int argc,char**argv){
  omp_set_num_threads(1);
  int M=atoi(argv[1]),K=atoi(argv[2]),N=atoi(argv[3]),NW=atoi(argv[4]);
  dnnl_engine_t eng; CHECK(dnnl_engine_create(&eng,dnnl_cpu,0));
  dnnl_stream_t st; CHECK(dnnl_stream_create(&st,eng,dnnl_stream_default_flags));
  dnnl_memory_desc_t src,wpl,wany,dst;
  dnnl_dims_t sd={M,K}, ss={K,1}, wd={K,N}, ws={1,K}, dd={M,N}, ds={N,1};
  CHECK(dnnl_memory_desc_init_by_strides(&src,2,sd,dnnl_bf16,ss));
  CHECK(dnnl_memory_desc_init_by_strides(&wpl,2,wd,dnnl_bf16,ws));
  CHECK(dnnl_memory_desc_init_by_tag(&wany,2,wd,dnnl_bf16,dnnl_format_tag_any));
  CHECK(dnnl_memory_desc_init_by_strides(&dst,2,dd,dnnl_f32,ds));
  dnnl_matmul_desc_t op1,op2; dnnl_primitive_desc_t pd1,pd2; dnnl_primitive_t p1,p2;
  CHECK(dnnl_matmul_desc_init(&op1,&src,&wpl,NULL,&dst)); CHECK(dnnl_primitive_desc_create(&pd1,&op1,NULL,eng,NULL));
  CHECK(dnnl_matmul_desc_init(&op2,&src,&wany,NULL,&dst)); CHECK(dnnl_primitive_desc_create(&pd2,&op2,NULL,eng,NULL));
  const char*i1,*i2; dnnl_primitive_desc_query(pd1,dnnl_query_impl_info_str,0,&i1); dnnl_primitive_desc_query(pd2,dnnl_query_impl_info_str,0,&i2);
  const dnnl_memory_desc_t*wpk=dnnl_primitive_desc_query_md(pd2,dnnl_query_weights_md,0);
  size_t pkbytes=dnnl_memory_desc_get_size(wpk);
  printf("plain impl %s, packed impl %s, packed bytes %zu vs %d\n",i1,i2,pkbytes,K*N*2);
  CHECK(dnnl_primitive_create(&p1,pd1)); CHECK(dnnl_primitive_create(&p2,pd2));
  unsigned short*A=malloc(2L*M*K); for(long i=0;i<(long)M*K;i++)A[i]=0x3f80+(i%7);
  float*C=malloc(4L*M*N);
  unsigned short**W=malloc(sizeof(void*)*NW); void**P=malloc(sizeof(void*)*NW);
  dnnl_memory_desc_t wpk_copy=*wpk;
  for(int w=0;w<NW;w++){W[w]=malloc(2L*K*N); for(long i=0;i<(long)K*N;i++)W[w][i]=0x3f80+((i+w)%5);
    P[w]=aligned_alloc(64,(pkbytes+63)/64*64);
    dnnl_memory_t from,to; CHECK(dnnl_memory_create(&from,&wpl,eng,W[w])); CHECK(dnnl_memory_create(&to,&wpk_copy,eng,P[w]));
    dnnl_primitive_desc_t rpd; CHECK(dnnl_reorder_primitive_desc_create(&rpd,&wpl,eng,&wpk_copy,eng,NULL));
    dnnl_primitive_t r; CHECK(dnnl_primitive_create(&r,rpd));
    dnnl_exec_arg_t a[2]={{DNNL_ARG_FROM,from},{DNNL_ARG_TO,to}}; CHECK(dnnl_primitive_execute(r,st,2,a)); dnnl_stream_wait(st);
    dnnl_primitive_destroy(r); dnnl_primitive_desc_destroy(rpd); dnnl_memory_destroy(from); dnnl_memory_destroy(to);}
  dnnl_memory_t ms,md; CHECK(dnnl_memory_create(&ms,&src,eng,A)); CHECK(dnnl_memory_create(&md,&dst,eng,C));
  for(int rep=0;rep<3;rep++){
    double t=now();
    for(int w=0;w<NW;w++){ dnnl_memory_t mw; CHECK(dnnl_memory_create(&mw,&wpl,eng,W[w]));
      dnnl_exec_arg_t a[3]={{DNNL_ARG_SRC,ms},{DNNL_ARG_WEIGHTS,mw},{DNNL_ARG_DST,md}}; CHECK(dnnl_primitive_execute(p1,st,3,a)); dnnl_stream_wait(st); dnnl_memory_destroy(mw);}
    double t1=now()-t; t=now();
    for(int w=0;w<NW;w++){ dnnl_memory_t mw; CHECK(dnnl_memory_create(&mw,&wpk_copy,eng,P[w]));
      dnnl_exec_arg_t a[3]={{DNNL_ARG_SRC,ms},{DNNL_ARG_WEIGHTS,mw},{DNNL_ARG_DST,md}}; CHECK(dnnl_primitive_execute(p2,st,3,a)); dnnl_stream_wait(st); dnnl_memory_destroy(mw);}
    double t2=now()-t; double f=2.0*M*K*N*NW/1e9;
    printf("M=%d K=%d N=%d x%d: plain %.1f GF/s  packed %.1f GF/s  ratio %.2f\n",M,K,N,NW,f/t1,f/t2,t1/t2);
  }
}
